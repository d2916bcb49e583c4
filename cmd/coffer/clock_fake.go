//go:build fakeclock

package main

import (
	"flag"

	"github.com/coffer-dev/coffer/internal/clock"
	"github.com/coffer-dev/coffer/internal/secrets"
)

// testFlags are the flags of test builds (go build -tags fakeclock). They
// never exist in a release binary.
type testFlags struct {
	clockFile string
}

func (f *testFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.clockFile, "fake-clock-file", "", "TEST BUILD ONLY: file holding a duration added to the real time (e.g. 720h)")
}

func (f *testFlags) clock() (secrets.Clock, error) {
	if f.clockFile == "" {
		return secrets.SystemClock{}, nil
	}
	return &clock.Offset{Path: f.clockFile}, nil
}
