//go:build fakeclock

package main

import (
	"os"
	"syscall"
)

// crashPoint kills the process with SIGKILL, as a crash would, when
// $COFFER_TEST_CRASH_AT names step. TEST BUILD ONLY: release builds have
// no such hook (crash_release.go).
func crashPoint(step string) {
	if os.Getenv("COFFER_TEST_CRASH_AT") == step {
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {} // the signal is delivered asynchronously
	}
}
