package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	msqlite "modernc.org/sqlite"
)

// pragma is a setting made on every connection and then read back.
type pragma struct {
	name string // as in "PRAGMA name"
	set  string // the value to set; empty to only check
	want string // the value "PRAGMA name" must then return
}

// writerPragmas are the writer connection's settings. journal_mode is set by
// the writer only: it is a property of the file, and the first connection
// converts the file.
func writerPragmas(busy time.Duration) []pragma {
	ms := strconv.FormatInt(busy.Milliseconds(), 10)
	return []pragma{
		{"busy_timeout", ms, ms},
		{"foreign_keys", "ON", "1"},
		{"journal_mode", "WAL", "wal"},
		{"synchronous", "FULL", "2"},
	}
}

// readerPragmas are a View connection's settings. query_only makes writes
// through a View fail instead of taking the write lock. synchronous is
// per connection; a reader may be the one that checkpoints when it is closed.
func readerPragmas(busy time.Duration) []pragma {
	ms := strconv.FormatInt(busy.Milliseconds(), 10)
	return []pragma{
		{"busy_timeout", ms, ms},
		{"foreign_keys", "ON", "1"},
		{"journal_mode", "", "wal"},
		{"synchronous", "FULL", "2"},
		{"query_only", "ON", "1"},
	}
}

// openDB returns a pool of connections to the file at path, each set up with
// pragmas and refused unless they are in effect. query holds extra DSN
// parameters for the driver.
func openDB(path, query string, pragmas []pragma) (*sql.DB, error) {
	// A file: URI, so that a path holding '?' or '#' is not taken for a
	// query; SQLite decodes the %XX escapes.
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath()
	if query != "" {
		dsn += "?" + query
	}
	base, err := msqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(&connector{Connector: base, pragmas: pragmas}), nil
}

// connector sets and asserts pragmas on every connection the driver opens,
// including the ones database/sql opens later to replace a discarded one.
type connector struct {
	driver.Connector
	pragmas []pragma
}

// Connect opens a connection and returns it only if every pragma is in
// effect.
func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	if err := setPragmas(ctx, conn, c.pragmas); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// setPragmas sets each pragma on conn, then reads it back.
func setPragmas(ctx context.Context, conn driver.Conn, pragmas []pragma) error {
	for _, p := range pragmas {
		if p.set != "" {
			// Some pragmas (journal_mode) answer with a row, so query.
			if _, err := queryValue(ctx, conn, "PRAGMA "+p.name+" = "+p.set); err != nil {
				return fmt.Errorf("set PRAGMA %s: %w", p.name, err)
			}
		}
		got, err := queryValue(ctx, conn, "PRAGMA "+p.name)
		if err != nil {
			return fmt.Errorf("read PRAGMA %s: %w", p.name, err)
		}
		if !strings.EqualFold(got, p.want) {
			return fmt.Errorf("PRAGMA %s is %q, want %q", p.name, got, p.want)
		}
	}
	return nil
}

// queryValue runs q on conn and returns the first column of its first row as
// text, or "" if there is no row.
func queryValue(ctx context.Context, conn driver.Conn, q string) (string, error) {
	qc, ok := conn.(driver.QueryerContext)
	if !ok {
		return "", errors.New("driver connection cannot query")
	}
	rows, err := qc.QueryContext(ctx, q, nil)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	dest := make([]driver.Value, len(rows.Columns()))
	if err := rows.Next(dest); err != nil {
		if errors.Is(err, io.EOF) {
			return "", nil
		}
		return "", err
	}
	if len(dest) == 0 {
		return "", nil
	}
	switch v := dest[0].(type) {
	case []byte:
		return string(v), nil
	case nil:
		return "", nil
	default:
		return fmt.Sprint(v), nil
	}
}
