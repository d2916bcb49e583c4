package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestOpen_Pragmas checks the settings in effect on the store's connections,
// writer and reader. synchronous and busy_timeout are per connection, so
// only the store's own connections can show them.
func TestOpen_Pragmas(t *testing.T) {
	t.Parallel()
	s, err := Open(filepath.Join(t.TempDir(), "coffer.db"), Options{BusyTimeout: 1234 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, c := range []struct {
		db   string
		pool *sql.DB
		want map[string]string
	}{
		{"writer", s.writer, map[string]string{"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "busy_timeout": "1234", "query_only": "0"}},
		{"reader", s.reader, map[string]string{"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "busy_timeout": "1234", "query_only": "1"}},
	} {
		for name, want := range c.want {
			var got string
			if err := c.pool.QueryRow("PRAGMA " + name).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("%s: PRAGMA %s = %q, want %q", c.db, name, got, want)
			}
		}
	}
}

// TestConnector_Asserts checks that a connection whose settings do not take
// is refused, not used.
func TestConnector_Asserts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, c := range []struct {
		name    string
		path    string
		pragmas []pragma
		errHas  string
	}{
		// SQLite keeps an in-memory database's journal in memory and
		// answers journal_mode=WAL with "memory".
		{"WALRefused", ":memory:", writerPragmas(time.Second), `journal_mode is "memory"`},
		// A reader only checks journal_mode; a file nobody converted fails.
		{"NotWAL", filepath.Join(dir, "plain.db"), readerPragmas(time.Second), `journal_mode is "delete"`},
		{"ValueNotTaken", filepath.Join(dir, "x.db"), []pragma{{"synchronous", "NORMAL", "2"}}, `synchronous is "1"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			db, err := openDB(c.path, "", c.pragmas)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			err = db.PingContext(context.Background())
			if err == nil || !strings.Contains(err.Error(), c.errHas) {
				t.Errorf("Ping: err = %v, want one containing %s", err, c.errHas)
			}
		})
	}
}

func TestEncodeMaterial_Corrupt(t *testing.T) {
	t.Parallel()
	good := encodeMaterial([][]byte{{1, 2, 3}, {}, {4}})
	m, err := decodeMaterial(good)
	if err != nil || len(m) != 3 || len(m[1]) != 0 || m[2][0] != 4 {
		t.Errorf("decodeMaterial(encodeMaterial(x)) = %v, %v", m, err)
	}
	if _, err := decodeMaterial(good[:len(good)-1]); err == nil {
		t.Error("decodeMaterial of a truncated value: err = nil")
	}
}

func TestUpsert(t *testing.T) {
	t.Parallel()
	got := upsert("t", "a, b,\n\t\tc", "a, b")
	want := "INSERT INTO t (a, b, c) VALUES (?, ?, ?) ON CONFLICT (a, b) DO UPDATE SET c = excluded.c"
	if got != want {
		t.Errorf("upsert = %q\nwant %q", got, want)
	}
}
