// Package clock provides the clocks Coffer injects wherever time matters,
// besides the system clock (secrets.SystemClock): a fake clock for unit
// tests, and a file-driven clock that test-only builds of the binary use to
// move a running server's time.
package clock

import (
	"os"
	"strings"
	"sync"
	"time"
)

// Fake is a clock that moves only when told. It is safe for concurrent use.
type Fake struct {
	mu sync.Mutex
	t  time.Time
}

// NewFake returns a Fake clock set to t.
func NewFake(t time.Time) *Fake { return &Fake{t: t} }

// Now returns the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

// Set sets the fake time.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	f.t = t
	f.mu.Unlock()
}

// Advance moves the fake time by d.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
}

// Offset is the real time shifted by a duration read from a file, which a
// test rewrites to move a running server's time (for instance past a
// recovery window). The file holds a Go duration such as "720h"; a missing
// or empty file means no shift. It is re-read when its modification time or
// size changes. Only test builds of the binary offer it.
type Offset struct {
	Path string

	mu      sync.Mutex
	modTime time.Time
	size    int64
	offset  time.Duration
}

// Now returns the real time plus the file's offset.
func (o *Offset) Now() time.Time {
	o.mu.Lock()
	defer o.mu.Unlock()
	if fi, err := os.Stat(o.Path); err == nil {
		if !fi.ModTime().Equal(o.modTime) || fi.Size() != o.size {
			o.modTime, o.size = fi.ModTime(), fi.Size()
			if b, err := os.ReadFile(o.Path); err == nil {
				s := strings.TrimSpace(string(b))
				if s == "" {
					o.offset = 0
				} else if d, err := time.ParseDuration(s); err == nil {
					o.offset = d
				}
			}
		}
	}
	return time.Now().Add(o.offset)
}
