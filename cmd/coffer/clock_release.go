//go:build !fakeclock

package main

import (
	"flag"

	"github.com/coffer-dev/coffer/internal/secrets"
)

// testFlags is empty in release builds: a release binary accepts no way to
// move its clock.
type testFlags struct{}

func (*testFlags) register(*flag.FlagSet) {}

func (*testFlags) clock() (secrets.Clock, error) { return secrets.SystemClock{}, nil }
