package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/coffer-dev/coffer/internal/secrets"
)

// Interface guard.
var (
	_ secrets.Store       = (*Store)(nil)
	_ secrets.StageReader = (*tx)(nil)
)

// ErrNewerSchema is returned by Open when the database's schema version is
// newer than this program knows: it was written by a newer Coffer, and
// opening it could lose what that version stores.
var ErrNewerSchema = errors.New("database schema is newer than this program")

// Options configures Open. Zero fields take their value from DefaultOptions.
type Options struct {
	// BusyTimeout is how long a statement waits for a lock that another
	// process holds on the database before failing with SQLITE_BUSY.
	BusyTimeout time.Duration
	// MaxReaders is the number of read-only connections View may use at
	// once.
	MaxReaders int
}

// DefaultOptions returns the options Open uses for zero fields.
func DefaultOptions() Options {
	return Options{
		BusyTimeout: 5 * time.Second,
		MaxReaders:  max(4, runtime.GOMAXPROCS(0)),
	}
}

func (o Options) withDefaults() Options {
	d := DefaultOptions()
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = d.BusyTimeout
	}
	if o.MaxReaders <= 0 {
		o.MaxReaders = d.MaxReaders
	}
	return o
}

// Store is a secrets.Store in one SQLite database file. It is safe for
// concurrent use. See the package documentation for its durability and
// concurrency guarantees.
type Store struct {
	path string

	writer *sql.DB // one connection: every Update
	reader *sql.DB // query_only connections: every View
	wq, rq *queries

	closeOnce sync.Once
	closeErr  error
}

// Open opens the database file at path, creating it with mode 0600 if it does
// not exist, and brings its schema up to date. The directory must exist.
//
// Open fails if the file cannot be put in WAL mode with synchronous=FULL, and
// with ErrNewerSchema if a newer program wrote it. In-memory databases are not
// supported: the writer and the readers are separate connections.
func Open(path string, opts Options) (*Store, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("sqlite: open %q: need the path of a database file", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %q: %w", path, err)
	}
	if err := createFile(abs); err != nil {
		return nil, fmt.Errorf("sqlite: open %q: %w", path, err)
	}

	s := &Store{path: abs}
	if err := s.open(context.Background(), opts.withDefaults()); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite: open %q: %w", path, err)
	}
	return s, nil
}

func (s *Store) open(ctx context.Context, opts Options) error {
	var err error
	// The writer's DSN asks for BEGIN IMMEDIATE; the connector sets and
	// asserts the pragmas on every connection either pool opens.
	s.writer, err = openDB(s.path, "_txlock=immediate", writerPragmas(opts.BusyTimeout))
	if err != nil {
		return err
	}
	s.writer.SetMaxOpenConns(1)
	s.writer.SetMaxIdleConns(1)
	s.writer.SetConnMaxLifetime(0)
	s.writer.SetConnMaxIdleTime(0)
	// The first connection switches the file to WAL; the readers only check.
	if err := s.writer.PingContext(ctx); err != nil {
		return err
	}
	if err := migrate(ctx, s.writer); err != nil {
		return err
	}

	s.reader, err = openDB(s.path, "", readerPragmas(opts.BusyTimeout))
	if err != nil {
		return err
	}
	s.reader.SetMaxOpenConns(opts.MaxReaders)
	s.reader.SetMaxIdleConns(opts.MaxReaders)
	s.reader.SetConnMaxLifetime(0)
	s.reader.SetConnMaxIdleTime(0)
	if err := s.reader.PingContext(ctx); err != nil {
		return err
	}

	if s.wq, err = prepare(ctx, s.writer); err != nil {
		return err
	}
	if s.rq, err = prepare(ctx, s.reader); err != nil {
		return err
	}
	return nil
}

// createFile creates the database file with mode 0600 unless it exists, and
// fsyncs its directory so the new name survives a crash. SQLite would create
// it with 0644.
func createFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Path returns the absolute path of the database file.
func (s *Store) Path() string { return s.path }

// Close closes the database. It is safe to call on a nil *Store and more
// than once; calls after the first return the first's result.
func (s *Store) Close() error {
	if s == nil {
		return nil
	}
	s.closeOnce.Do(func() {
		// Readers first: the last connection to close checkpoints the log
		// into the database file and removes it, and that should be the
		// writer.
		var errs []error
		if s.rq != nil {
			errs = append(errs, s.rq.close())
		}
		if s.wq != nil {
			errs = append(errs, s.wq.close())
		}
		if s.reader != nil {
			errs = append(errs, s.reader.Close())
		}
		if s.writer != nil {
			errs = append(errs, s.writer.Close())
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

// View runs fn in a read-only transaction on a snapshot of the database. It
// returns fn's error unchanged. Writes through the Tx fail.
func (s *Store) View(ctx context.Context, fn func(secrets.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t, err := s.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("sqlite: begin view: %w", err)
	}
	// Ending a read-only transaction commits nothing, so rollback is the one
	// way to end it, after an error, a panic or success alike.
	defer t.Rollback()
	return fn(&tx{tx: t, q: s.rq})
}

// Update runs fn in a read-write transaction and commits it if fn returns nil.
// It rolls back and returns fn's error unchanged if fn returns an error, and
// rolls back and re-panics if fn panics. Update transactions are serialized.
// If ctx ends before the commit, nothing is committed and Update returns an
// error wrapping ctx.Err(). When Update returns nil, the commit is durable.
func (s *Store) Update(ctx context.Context, fn func(secrets.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin update: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			t.Rollback()
		}
	}()

	wtx := &tx{tx: t, q: s.wq}
	if err := fn(wtx); err != nil {
		return err
	}
	hook := secrets.CommitHookOf(ctx)
	if hook != nil {
		if err := hook.BeforeCommit(ctx, wtx); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	committed = true // Commit ends the transaction whatever it returns.
	if err := t.Commit(); err != nil {
		// database/sql reports a transaction it rolled back because ctx
		// ended as ErrTxDone; say why.
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fmt.Errorf("sqlite: commit: %w", ctxErr)
		}
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	if hook != nil {
		hook.Committed()
	}
	return nil
}
