package clock_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/coffer-dev/coffer/internal/clock"
)

func TestFake(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	f := clock.NewFake(t0)
	if !f.Now().Equal(t0) {
		t.Fatalf("Now = %v, want %v", f.Now(), t0)
	}
	f.Advance(36 * time.Hour)
	if want := t0.Add(36 * time.Hour); !f.Now().Equal(want) {
		t.Errorf("after Advance, Now = %v, want %v", f.Now(), want)
	}
	f.Set(t0)
	if !f.Now().Equal(t0) {
		t.Errorf("after Set, Now = %v, want %v", f.Now(), t0)
	}
}

func TestOffset(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "clock")
	o := &clock.Offset{Path: path}
	near := func(got, want time.Time) bool { d := got.Sub(want); return d > -time.Minute && d < time.Minute }
	if now := o.Now(); !near(now, time.Now()) {
		t.Errorf("without a file, Now = %v, want about the real time", now)
	}
	for _, tc := range []struct {
		content string
		offset  time.Duration
	}{
		{"720h", 720 * time.Hour},
		{"-48h\n", -48 * time.Hour},
		{"", 0},
		{"not a duration", 0}, // kept from the last good read: 0 here
	} {
		if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
			t.Fatal(err)
		}
		// The file is re-read when its size or modification time changes.
		os.Chtimes(path, time.Now(), time.Now().Add(time.Duration(len(tc.content))*time.Second))
		if now := o.Now(); !near(now, time.Now().Add(tc.offset)) {
			t.Errorf("with %q, Now = %v, want about real time %+v", tc.content, now, tc.offset)
		}
	}
}
