package sqlite_test

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/coffer-dev/coffer/internal/secrets"
	"github.com/coffer-dev/coffer/internal/store/sqlite"
	"github.com/coffer-dev/coffer/internal/store/storetest"
	_ "modernc.org/sqlite" // the "sqlite" driver, to look at files from outside the Store
)

// MustOpen opens a store in a new file under tb.TempDir and closes it when
// the test ends.
func MustOpen(tb testing.TB) *sqlite.Store {
	tb.Helper()
	return MustOpenPath(tb, filepath.Join(tb.TempDir(), "coffer.db"))
}

// MustOpenPath opens the store at path and closes it when the test ends.
func MustOpenPath(tb testing.TB, path string) *sqlite.Store {
	tb.Helper()
	s, err := sqlite.Open(path, sqlite.Options{})
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return s
}

// MustOpenRaw opens path with database/sql, past the Store.
func MustOpenRaw(tb testing.TB, path string) *sql.DB {
	tb.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestStore(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) secrets.Store { return MustOpen(t) })
}

func TestOpen_FileMode(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "coffer.db")
	s := MustOpenPath(t, path)
	if s.Path() != path {
		t.Errorf("Path() = %q, want %q", s.Path(), path)
	}
	storetest.MustPutSecret(t, s, &secrets.Secret{ARN: "arn", Account: "a", Region: "r", Name: "n"})
	// The log exists while the store is open; SQLite copies the mode of the
	// database file to it.
	for _, p := range []string{path, path + "-wal"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if mode := fi.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s: mode %v, want 0600", filepath.Base(p), mode)
		}
	}
}

func TestOpen_JournalMode(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "coffer.db")
	MustOpenPath(t, path)
	// WAL is a property of the file: another connection sees it too.
	var mode string
	if err := MustOpenRaw(t, path).QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Errorf("journal_mode = %q, want wal", mode)
	}
}

func TestOpen_Reopen(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "coffer.db")
	sec := &secrets.Secret{ARN: "arn:1", Account: "111111111111", Region: "us-east-1", Name: "app",
		CreatedAt: time.Unix(1700000000, 123456789), NextSeq: 2, Tags: []secrets.Tag{{Key: "k", Value: "v"}}}
	v := &secrets.Version{SecretARN: sec.ARN, ID: "v1", Seq: 1, Stages: []string{"AWSCURRENT"}, Sealed: []byte{0, 1, 2}}

	s, err := sqlite.Open(path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	storetest.MustPutSecret(t, s, sec)
	storetest.MustPutVersion(t, s, v)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = MustOpenPath(t, path) // the schema is current: no migration runs
	got := storetest.MustSecretByARN(t, s, sec.ARN)
	if !got.CreatedAt.Equal(sec.CreatedAt) || got.NextSeq != 2 || len(got.Tags) != 1 {
		t.Errorf("secret after reopening = %+v", got)
	}
	if gv := storetest.MustVersion(t, s, sec.ARN, "v1"); string(gv.Sealed) != string(v.Sealed) || !gv.HasStage("AWSCURRENT") {
		t.Errorf("version after reopening = %+v", gv)
	}
	var version int
	if err := MustOpenRaw(t, path).QueryRow("PRAGMA user_version").Scan(&version); err != nil {
		t.Fatal(err)
	}
	if version != 8 { // one per migration
		t.Errorf("user_version = %d, want 8", version)
	}
}

func TestOpen_ErrNewerSchema(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "coffer.db")
	if _, err := MustOpenRaw(t, path).Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.Open(path, sqlite.Options{})
	if !errors.Is(err, sqlite.ErrNewerSchema) {
		t.Errorf("Open: err = %v, want ErrNewerSchema", err)
	}
	if err := s.Close(); err != nil { // nil after a failed Open
		t.Errorf("Close after a failed Open: %v", err)
	}
}

func TestOpen_ErrPath(t *testing.T) {
	t.Parallel()
	for _, path := range []string{"", ":memory:", "file:x.db?mode=memory", filepath.Join(t.TempDir(), "missing", "coffer.db")} {
		if s, err := sqlite.Open(path, sqlite.Options{}); err == nil {
			s.Close()
			t.Errorf("Open(%q): err = nil", path)
		}
	}
}

// TestOpen_OddPath checks that a path with URI syntax in it names a file.
func TestOpen_OddPath(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "a?b#c%20d.db")
	s := MustOpenPath(t, path)
	storetest.MustPutSecret(t, s, &secrets.Secret{ARN: "arn", Account: "a", Region: "r", Name: "n"})
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database file: %v", err)
	}
}

func TestTx_PutSecret_ErrExistsKind(t *testing.T) {
	t.Parallel()
	s := MustOpen(t)
	storetest.MustPutSecret(t, s, &secrets.Secret{ARN: "arn:1", Account: "a", Region: "r", Name: "n"})
	err := s.Update(context.Background(), func(tx secrets.Tx) error {
		return tx.PutSecret(context.Background(), &secrets.Secret{ARN: "arn:2", Account: "a", Region: "r", Name: "n"})
	})
	if secrets.KindOf(err) != secrets.Exists {
		t.Errorf("PutSecret with a taken name: err = %v, want kind Exists", err)
	}
}

func TestTx_PutVersion_ErrNoSecret(t *testing.T) {
	t.Parallel()
	s := MustOpen(t)
	err := s.Update(context.Background(), func(tx secrets.Tx) error {
		return tx.PutVersion(context.Background(), &secrets.Version{SecretARN: "arn:missing", ID: "v1"})
	})
	if err == nil {
		t.Error("PutVersion of a missing secret: err = nil")
	}
}

func TestTx_PutSecret_ErrTime(t *testing.T) {
	t.Parallel()
	s := MustOpen(t)
	for _, tm := range []time.Time{time.Unix(0, 0), time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC)} {
		err := s.Update(context.Background(), func(tx secrets.Tx) error {
			return tx.PutSecret(context.Background(), &secrets.Secret{ARN: "arn", Account: "a", Region: "r", Name: "n", CreatedAt: tm})
		})
		if err == nil {
			t.Errorf("PutSecret with CreatedAt %v: err = nil, want a refusal", tm)
		}
	}
}

// stageTx is the method sqlite's Tx has beyond secrets.Tx.
type stageTx interface {
	VersionByStage(ctx context.Context, secretARN, stage string) (*secrets.Version, error)
}

func TestTx_VersionByStage(t *testing.T) {
	t.Parallel()
	s := MustOpen(t)
	storetest.MustPutSecret(t, s, &secrets.Secret{ARN: "arn", Account: "a", Region: "r", Name: "n"})
	storetest.MustPutVersion(t, s,
		&secrets.Version{SecretARN: "arn", ID: "v1", Seq: 1, Stages: []string{"AWSPREVIOUS"}},
		&secrets.Version{SecretARN: "arn", ID: "v2", Seq: 2, Stages: []string{"custom", "AWSCURRENT"}},
		&secrets.Version{SecretARN: "arn", ID: "v3", Seq: 3})
	storetest.MustView(t, s, func(tx secrets.Tx) error {
		st, ok := tx.(stageTx)
		if !ok {
			t.Fatal("Tx has no VersionByStage")
		}
		for stage, want := range map[string]string{"AWSCURRENT": "v2", "AWSPREVIOUS": "v1", "custom": "v2"} {
			v, err := st.VersionByStage(context.Background(), "arn", stage)
			if err != nil || v.ID != want {
				t.Errorf("VersionByStage(%s) = %v, %v; want %s", stage, v, err, want)
			}
		}
		_, err := st.VersionByStage(context.Background(), "arn", "AWSPENDING")
		if !errors.Is(err, secrets.ErrNotFound) {
			t.Errorf("VersionByStage(AWSPENDING): err = %v, want ErrNotFound", err)
		}
		return nil
	})
}

const killHelperEnv = "COFFER_SQLITE_KILL_HELPER"

// TestStore_KillDurability runs Updates in a child process, kills it with
// SIGKILL while it writes, and checks that every Update the child saw return
// nil is in the file. (Surviving the loss of power as well is what
// synchronous=FULL is for; a test cannot pull the plug.)
func TestStore_KillDurability(t *testing.T) {
	if path := os.Getenv(killHelperEnv); path != "" {
		killHelper(path)
		return
	}
	if testing.Short() {
		t.Skip("spawns a process")
	}
	t.Parallel()
	path := filepath.Join(t.TempDir(), "coffer.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestStore_KillDurability$")
	cmd.Env = append(os.Environ(), killHelperEnv+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	const killAfter = 100
	acked := -1
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		var i int
		if _, err := fmt.Sscanf(sc.Text(), "acked %d", &i); err != nil {
			continue
		}
		acked = i
		if i == killAfter {
			cmd.Process.Kill() // SIGKILL, in the middle of the next Update
		}
	}
	cmd.Wait()
	if acked < killAfter {
		t.Fatalf("child acknowledged %d updates before it died, want %d", acked+1, killAfter+1)
	}

	s := MustOpenPath(t, path)
	storetest.MustView(t, s, func(tx secrets.Tx) error {
		for i := 0; i <= acked; i++ {
			arn := "arn:" + strconv.Itoa(i)
			if _, err := tx.SecretByARN(context.Background(), arn); err != nil {
				t.Errorf("acknowledged update %d lost: %v", i, err)
			}
			if _, err := tx.Version(context.Background(), arn, "v1"); err != nil {
				t.Errorf("acknowledged update %d lost: %v", i, err)
			}
		}
		return nil
	})
}

// killHelper writes until it is killed, printing "acked N" after Update N
// returns nil. It gives up after a minute in case nobody kills it.
func killHelper(path string) {
	s, err := sqlite.Open(path, sqlite.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	sealed := make([]byte, 4096)
	deadline := time.Now().Add(time.Minute)
	for i := 0; time.Now().Before(deadline); i++ {
		arn := "arn:" + strconv.Itoa(i)
		err := s.Update(context.Background(), func(tx secrets.Tx) error {
			if err := tx.PutSecret(context.Background(), &secrets.Secret{ARN: arn, Account: "a", Region: "r", Name: arn, NextSeq: 2}); err != nil {
				return err
			}
			return tx.PutVersion(context.Background(), &secrets.Version{SecretARN: arn, ID: "v1", Seq: 1, Stages: []string{"AWSCURRENT"}, Sealed: sealed})
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Fprintf(os.Stdout, "acked %d\n", i) // os.Stdout is unbuffered
	}
	os.Exit(3)
}

// BenchmarkView_SecretByName_Version measures GetSecretValue's reads: one
// View that finds a secret by name and then its current version, among 1000
// secrets of 3 versions with 1 KiB values each.
func BenchmarkView_SecretByName_Version(b *testing.B) {
	const n = 1000
	ctx := context.Background()
	s := MustOpen(b)
	names := make([]string, n)
	storetest.MustUpdate(b, s, func(tx secrets.Tx) error {
		sealed := make([]byte, 1024)
		for i := range n {
			names[i] = fmt.Sprintf("team-%d/service/db-password", i)
			sec := &secrets.Secret{
				ARN:     "arn:aws:secretsmanager:us-east-1:111111111111:secret:" + names[i] + "-AbCdEf",
				Account: "111111111111", Region: "us-east-1", Name: names[i],
				Tags:      []secrets.Tag{{Key: "team", Value: strconv.Itoa(i)}, {Key: "env", Value: "prod"}},
				CreatedAt: time.Now(), LastChangedAt: time.Now(), NextSeq: 4,
			}
			if err := tx.PutSecret(ctx, sec); err != nil {
				return err
			}
			for seq, stage := range [][]string{nil, {"AWSPREVIOUS"}, {"AWSCURRENT"}} {
				v := &secrets.Version{SecretARN: sec.ARN, ID: fmt.Sprintf("v%d", seq+1), Seq: int64(seq + 1),
					Stages: stage, CreatedAt: time.Now(), KMSKeyARN: "arn:aws:kms:us-east-1:111111111111:key/k", Sealed: sealed}
				if err := tx.PutVersion(ctx, v); err != nil {
					return err
				}
			}
		}
		return nil
	})

	read := func(i int, byVersion func(tx secrets.Tx, arn string) (*secrets.Version, error)) error {
		return s.View(ctx, func(tx secrets.Tx) error {
			sec, err := tx.SecretByName(ctx, "111111111111", "us-east-1", names[i%n])
			if err != nil {
				return err
			}
			v, err := byVersion(tx, sec.ARN)
			if err != nil {
				return err
			}
			if len(v.Sealed) != 1024 {
				return fmt.Errorf("got %d bytes", len(v.Sealed))
			}
			return nil
		})
	}
	byID := func(tx secrets.Tx, arn string) (*secrets.Version, error) { return tx.Version(ctx, arn, "v3") }
	byStage := func(tx secrets.Tx, arn string) (*secrets.Version, error) {
		return tx.(stageTx).VersionByStage(ctx, arn, "AWSCURRENT")
	}
	byScan := func(tx secrets.Tx, arn string) (*secrets.Version, error) {
		vs, err := tx.Versions(ctx, arn)
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			if v.HasStage("AWSCURRENT") {
				return v, nil
			}
		}
		return nil, secrets.ErrNotFound
	}

	for _, bm := range []struct {
		name string
		fn   func(tx secrets.Tx, arn string) (*secrets.Version, error)
	}{{"ByID", byID}, {"ByStage", byStage}, {"ByStageViaVersions", byScan}} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if err := read(i, bm.fn); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
	b.Run("ByID/Parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if err := read(i, byID); err != nil {
					b.Error(err)
					return
				}
				i += 7
			}
		})
	})
}
