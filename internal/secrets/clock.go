package secrets

import "time"

// Clock tells the time. Everything in Coffer that depends on time
// (recovery windows, purges, version pruning, rotation schedules, credential
// expiry) reads it from an injected Clock, so tests can move time.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns the current time.
func (SystemClock) Now() time.Time { return time.Now() }
