//go:build !fakeclock

package main

// crashPoint is a no-op in release builds; see crash_fake.go.
func crashPoint(string) {}
