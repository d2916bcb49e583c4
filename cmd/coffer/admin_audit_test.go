package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coffer-dev/coffer/internal/audit"
	"github.com/coffer-dev/coffer/internal/clock"
	_ "modernc.org/sqlite" // the "sqlite" driver, to tamper with the trail
)

// runCoffer runs the command line and returns its exit code and output.
func runCoffer(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestAdminAudit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	dataDir, keyFile := filepath.Join(dir, "data"), filepath.Join(dir, "root.key")
	if _, err := initDataDir(ctx, dataDir, keyFile, "111111111111", defaultListen); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	alice := "arn:aws:iam::111111111111:user/alice"
	app := "arn:aws:secretsmanager:us-east-1:111111111111:secret:app-AbCdEf"
	ev := func(i int, name, principal, secret, code string) *audit.Event {
		e := &audit.Event{
			EventVersion: "1.09", EventTime: start.Add(time.Duration(i) * time.Hour),
			EventSource: "secretsmanager.amazonaws.com", EventName: name, AWSRegion: "us-east-1",
			UserIdentity: audit.UserIdentity{Type: "IAMUser", ARN: principal, AccountID: "111111111111"},
			ErrorCode:    code, RequestParameters: json.RawMessage("null"), ResponseElements: json.RawMessage("null"),
			EventID: fmt.Sprintf("ev-%d", i), EventType: "AwsApiCall", RecipientAccountID: "111111111111",
		}
		if secret != "" {
			e.Resources = []audit.Resource{{Type: "AWS::SecretsManager::Secret", ARN: secret}}
		}
		return e
	}
	events := []*audit.Event{
		ev(1, "CreateSecret", alice, app, ""),
		ev(2, "GetSecretValue", alice, app, ""),
		ev(3, "GetSecretValue", "arn:aws:iam::111111111111:user/bob", app, "AccessDeniedException"),
		ev(4, "ListSecrets", alice, "", ""),
	}
	a, err := openApp(ctx, dataDir, keyFile, appOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w := a.audit.NewWriter()
	err = w.Append(ctx, events...)
	w.Close()
	a.Close()
	if err != nil {
		t.Fatal(err)
	}

	base := []string{"admin", "audit", "--data-dir", dataDir, "--key-file", keyFile}
	code, out, stderr := runCoffer(t, base...)
	if code != 0 {
		t.Fatalf("admin audit: exit %d: %s", code, stderr)
	}
	// One CloudTrail record per line, as appended.
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("admin audit printed %d lines, want 4:\n%s", len(lines), out)
	}
	for i, line := range lines {
		want, _ := json.Marshal(events[i])
		if line != string(want) {
			t.Errorf("line %d =\n%s\nwant\n%s", i+1, line, want)
		}
	}

	for _, c := range []struct {
		flags []string
		want  string
	}{
		{[]string{"--secret", "app"}, "ev-1 ev-2 ev-3"},
		{[]string{"--secret", app, "--principal", alice}, "ev-1 ev-2"},
		{[]string{"--event-name", "GetSecretValue"}, "ev-2 ev-3"},
		{[]string{"--error-code", "AccessDeniedException"}, "ev-3"},
		{[]string{"--from", "2025-06-01T14:00:00Z"}, "ev-2 ev-3 ev-4"},
		{[]string{"--from", "2025-06-01T14:00:00+01:00", "--to", "2025-06-01T15:00:00Z"}, "ev-1 ev-2 ev-3"}, // 13:00Z to 15:00Z
		{[]string{"--account", "222222222222"}, ""},
	} {
		code, out, stderr := runCoffer(t, append(base, c.flags...)...)
		if code != 0 {
			t.Errorf("admin audit %v: exit %d: %s", c.flags, code, stderr)
			continue
		}
		var ids []string
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			if line == "" {
				continue
			}
			var e audit.Event
			if err := json.Unmarshal([]byte(line), &e); err != nil {
				t.Fatalf("admin audit %v: %v in %q", c.flags, err, line)
			}
			ids = append(ids, e.EventID)
		}
		if got := strings.Join(ids, " "); got != c.want {
			t.Errorf("admin audit %v = %q, want %q", c.flags, got, c.want)
		}
	}
	if code, _, stderr := runCoffer(t, append(base, "--from", "yesterday")...); code != 1 || !strings.Contains(stderr, "--from") {
		t.Errorf("admin audit --from yesterday: exit %d, %q", code, stderr)
	}

	verify := []string{"admin", "audit", "verify", "--data-dir", dataDir, "--key-file", keyFile}
	if code, out, stderr := runCoffer(t, verify...); code != 0 || out != "OK: 4 events verified\n" {
		t.Fatalf("admin audit verify: exit %d, %q, %q", code, out, stderr)
	}

	db, err := sql.Open("sqlite", filepath.Join(dataDir, dbFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`DELETE FROM audit_events WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	code, out, stderr = runCoffer(t, verify...)
	if code != 1 || !strings.Contains(out, "event 2: is missing") || !strings.Contains(stderr, "event 2: is missing") {
		t.Errorf("admin audit verify after deleting event 2: exit %d, %q, %q", code, out, stderr)
	}
	t.Logf("stdout: %sstderr: %s", out, stderr)
}

func TestPurgeLoop_AuditRetention(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	dataDir, keyFile := filepath.Join(dir, "data"), filepath.Join(dir, "root.key")
	if _, err := initDataDir(ctx, dataDir, keyFile, "111111111111", defaultListen); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 6, 10, 0, 0, 0, 0, time.UTC)
	a, err := openApp(ctx, dataDir, keyFile, appOptions{clock: clock.NewFake(now)})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var events []*audit.Event
	for day := 1; day <= 9; day++ {
		events = append(events, &audit.Event{EventName: "ListSecrets", EventID: fmt.Sprint(day),
			EventTime: time.Date(2025, 6, day, 12, 0, 0, 0, time.UTC)})
	}
	w := a.audit.NewWriter()
	err = w.Append(ctx, events...)
	w.Close()
	if err != nil {
		t.Fatal(err)
	}

	// Keep three days: the events of June 7, 8 and 9.
	loopCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { purgeLoop(loopCtx, a, time.Millisecond, 72*time.Hour); close(done) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		n, bad, err := a.audit.Verify(ctx)
		if err != nil || bad != nil {
			t.Fatalf("Verify = %d, %v, %v", n, bad, err)
		}
		if n == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d events left, want 3", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	stop()
	<-done
	var ids []string
	if err := a.audit.Query(ctx, audit.Filter{}, func(_ int64, e *audit.Event) error {
		ids = append(ids, e.EventID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(ids, " "); got != "7 8 9" {
		t.Errorf("events kept = %q, want 7 8 9", got)
	}
}
