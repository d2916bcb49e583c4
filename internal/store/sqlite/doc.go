// Package sqlite implements secrets.Store in a single SQLite database file,
// using modernc.org/sqlite (pure Go, no cgo).
//
// # Durability
//
// An Update that returns nil is on stable storage: it survives kill -9 of the
// process and a crash of the machine. Open arranges this with:
//
//   - journal_mode=WAL. A commit appends to the write-ahead log instead of
//     rewriting pages in place, so readers keep their snapshot while a write
//     runs, and a torn write can only lose a commit that was never
//     acknowledged.
//   - synchronous=FULL. The log is fsynced before COMMIT returns. The
//     popular NORMAL setting only fsyncs at checkpoints: it survives a crash
//     of the process but can lose the last acknowledged commits when the
//     machine loses power, which a secrets store must not do.
//   - Asserting, not hoping. PRAGMA statements fail silently (journal_mode=WAL
//     is refused, for example, on file systems without shared memory), so
//     every connection, when it is opened, sets its pragmas and then reads
//     them back; a connection that does not have them is closed and its
//     error returned. The store never runs with weaker settings than these.
//   - foreign_keys=ON, so that deleting a secret deletes its versions
//     (ON DELETE CASCADE) and a version cannot outlive or precede its secret.
//
// The database file is created with mode 0600; SQLite gives the -wal and -shm
// files it creates beside it the same mode. The directory is fsynced after
// the file is created, so the file's name is durable too. The store keeps
// only what it is given: values and keys reach it sealed.
//
// # Concurrency
//
// Update runs on a single writer connection and begins with BEGIN IMMEDIATE:
// it takes SQLite's write lock at the start, so updates are serialized in the
// order they get the connection and a transaction never fails half-way with
// SQLITE_BUSY while upgrading a read lock. Another process writing the same
// file waits up to Options.BusyTimeout. View runs on a separate pool of
// query_only connections; in WAL mode each sees the snapshot of its first
// read for the rest of the transaction, and runs concurrently with a write.
//
// Calling Update from inside Update deadlocks (until the context ends): the
// inner call waits for the connection the outer one holds. View inside
// Update is allowed and sees the state before the outer Update.
//
// # Schema
//
// The schema is versioned with PRAGMA user_version: migration N brings the
// database from version N-1 to N, in the same transaction that records N.
// Open applies the missing migrations and refuses (ErrNewerSchema) a file
// written by a newer program. Migrations are only ever appended.
//
// Times are stored as INTEGER Unix nanoseconds, 0 meaning the zero time, so
// they round-trip with nanosecond precision (in UTC) and compare as numbers.
// That covers the years 1678 to 2262; a time outside that range, and the
// instant of the Unix epoch itself (which would read back as the zero time),
// are refused rather than stored wrongly. Tags and staging labels are JSON
// arrays in their rows, in order; a version's labels are found by stage with
// json_each over the few versions of one secret.
//
// A database on a network file system is not supported: WAL needs the
// shared memory of one machine.
package sqlite
