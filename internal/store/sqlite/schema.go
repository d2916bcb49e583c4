package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations[i] brings the schema from version i to version i+1 (PRAGMA
// user_version). Append new migrations; never edit or reorder applied ones.
//
// All tables are STRICT, so a value of the wrong type is an error rather than
// silently stored. Times are INTEGER Unix nanoseconds, 0 for the zero time.
var migrations = [][]string{
	// 1: the tables of secrets.Tx.
	{
		`CREATE TABLE secrets (
			arn              TEXT    NOT NULL PRIMARY KEY,
			account          TEXT    NOT NULL,
			region           TEXT    NOT NULL,
			name             TEXT    NOT NULL,
			description      TEXT    NOT NULL,
			kms_key_id       TEXT    NOT NULL,
			tags             TEXT    NOT NULL, -- JSON [[key, value], ...], in order
			owning_service   TEXT    NOT NULL,
			created_at       INTEGER NOT NULL,
			last_changed_at  INTEGER NOT NULL,
			last_accessed_at INTEGER NOT NULL,
			deleted_at       INTEGER NOT NULL,
			purge_at         INTEGER NOT NULL,
			next_seq         INTEGER NOT NULL,
			UNIQUE (account, region, name)
		) STRICT`,
		// Secrets lists a scope ordered by ARN without sorting.
		`CREATE INDEX secrets_scope_arn ON secrets (account, region, arn)`,
		// Only secrets scheduled for deletion are in it.
		`CREATE INDEX secrets_purge_at ON secrets (purge_at) WHERE purge_at <> 0`,

		// sealed is the last column: a row's small columns stay on its
		// b-tree page and the value spills to overflow pages, which a
		// scan of stages does not read.
		`CREATE TABLE versions (
			secret_arn       TEXT    NOT NULL REFERENCES secrets (arn) ON DELETE CASCADE,
			id               TEXT    NOT NULL,
			seq              INTEGER NOT NULL,
			stages           TEXT    NOT NULL, -- JSON [stage, ...], in order
			created_at       INTEGER NOT NULL,
			last_accessed_at INTEGER NOT NULL,
			kms_key_arn      TEXT    NOT NULL,
			is_binary        INTEGER NOT NULL,
			sealed           BLOB    NOT NULL,
			PRIMARY KEY (secret_arn, id)
		) STRICT`,
		`CREATE INDEX versions_seq ON versions (secret_arn, seq)`,

		`CREATE TABLE kms_keys (
			arn         TEXT    NOT NULL PRIMARY KEY,
			id          TEXT    NOT NULL,
			account     TEXT    NOT NULL,
			region      TEXT    NOT NULL,
			description TEXT    NOT NULL,
			manager     TEXT    NOT NULL,
			state       TEXT    NOT NULL,
			created_at  INTEGER NOT NULL,
			material    BLOB    NOT NULL -- (uvarint length, bytes) per version
		) STRICT`,

		`CREATE TABLE kms_aliases (
			arn        TEXT    NOT NULL PRIMARY KEY,
			name       TEXT    NOT NULL,
			account    TEXT    NOT NULL,
			region     TEXT    NOT NULL,
			target_key TEXT    NOT NULL,
			created_at INTEGER NOT NULL
		) STRICT`,

		`CREATE TABLE accounts (
			id         TEXT    NOT NULL PRIMARY KEY,
			created_at INTEGER NOT NULL
		) STRICT`,

		`CREATE TABLE access_keys (
			id            TEXT    NOT NULL PRIMARY KEY,
			account       TEXT    NOT NULL,
			principal     TEXT    NOT NULL,
			status        TEXT    NOT NULL,
			sealed_secret BLOB    NOT NULL,
			created_at    INTEGER NOT NULL
		) STRICT`,
		`CREATE INDEX access_keys_account ON access_keys (account, id)`,
	},
	// 2: tombstones of pruned versions.
	{
		`ALTER TABLE versions ADD COLUMN pruned_at INTEGER NOT NULL DEFAULT 0`,
	},
	// 3: KMS key attributes beyond the first migration's columns (usage,
	// spec, origin, tags, policy, rotation, deletion), as one JSON object.
	{
		`ALTER TABLE kms_keys ADD COLUMN attrs TEXT NOT NULL DEFAULT '{}'`,
		`CREATE INDEX kms_keys_scope ON kms_keys (account, region, arn)`,
		`CREATE INDEX kms_aliases_scope ON kms_aliases (account, region, name)`,
	},
	// 4: named values about the data dir (the root key check).
	{
		`CREATE TABLE meta (
			name  TEXT NOT NULL PRIMARY KEY,
			value BLOB NOT NULL
		) STRICT`,
	},
	// 5: a secret's resource-based policy (PutResourcePolicy), the JSON
	// document as the caller gave it; '' when it has none.
	{
		`ALTER TABLE secrets ADD COLUMN resource_policy TEXT NOT NULL DEFAULT ''`,
	},
	// 6: IAM users, groups, roles and customer managed policies, one row
	// each; an entity's parts (inline policies, attachments, memberships,
	// tags, policy versions) are in its attrs, so that one put changes it
	// whole. Access keys of IAM users are in access_keys, found by
	// principal.
	{
		`CREATE TABLE iam_entities (
			id       TEXT NOT NULL PRIMARY KEY, -- AIDA…, AGPA…, AROA…, ANPA…
			account  TEXT NOT NULL,
			kind     TEXT NOT NULL,             -- 'user', 'group', 'role', 'policy'
			name_key TEXT NOT NULL,             -- the name in lower case: unique without regard to case
			name     TEXT NOT NULL,
			attrs    TEXT NOT NULL,             -- JSON object, per kind
			UNIQUE (account, kind, name_key)
		) STRICT`,
		`CREATE INDEX access_keys_principal ON access_keys (principal, created_at, id)`,
	},
	// 7: the audit trail. One row per event, numbered by seq (the rowid)
	// from 1 without gaps, with the columns it is searched by; the event
	// itself, JSON, is the last column, so that it spills to overflow pages
	// a search does not read. audit_resources finds the events about a
	// resource. audit_head is the chain head, one row, kept apart from the
	// events so that removing the newest events is detected; it starts as
	// the head of an empty trail, so that a missing row is a loss.
	{
		`CREATE TABLE audit_events (
			seq        INTEGER NOT NULL PRIMARY KEY,
			time       INTEGER NOT NULL,
			account    TEXT    NOT NULL,
			principal  TEXT    NOT NULL,
			event_name TEXT    NOT NULL,
			error_code TEXT    NOT NULL,
			resources  TEXT    NOT NULL, -- JSON [resource, ...], as in audit_resources
			prev_hmac  BLOB    NOT NULL,
			hmac       BLOB    NOT NULL,
			event      BLOB    NOT NULL
		) STRICT`,
		`CREATE INDEX audit_events_time ON audit_events (time)`,
		`CREATE INDEX audit_events_principal ON audit_events (principal)`,
		`CREATE TABLE audit_resources (
			resource TEXT    NOT NULL,
			seq      INTEGER NOT NULL,
			PRIMARY KEY (resource, seq)
		) STRICT, WITHOUT ROWID`,
		`CREATE TABLE audit_head (
			id          INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
			seq         INTEGER NOT NULL,
			hmac        BLOB    NOT NULL,
			anchor_seq  INTEGER NOT NULL,
			anchor_prev BLOB    NOT NULL,
			mac         BLOB    NOT NULL
		) STRICT`,
		`INSERT INTO audit_head (id, seq, hmac, anchor_seq, anchor_prev, mac) VALUES (1, 0, x'', 0, x'', x'')`,
	},
	// 8: appending an event is on the path of every request; the indexes
	// on time and principal and the audit_resources table cost three more
	// B-tree inserts per event, for searches an operator runs now and then
	// (which read the events in seq order and filter, a range of time
	// included).
	{
		`DROP INDEX audit_events_time`,
		`DROP INDEX audit_events_principal`,
		`DROP TABLE audit_resources`,
	},
}

// migrate applies the migrations db lacks, all in one write transaction, so
// that two processes opening a new file cannot both apply them and a crash
// leaves the schema at the old version or the new one.
func migrate(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil) // BEGIN IMMEDIATE: see the writer's DSN
	if err != nil {
		return fmt.Errorf("begin migration: %w", err)
	}
	defer tx.Rollback()

	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if version > len(migrations) {
		return fmt.Errorf("%w: version %d, want at most %d", ErrNewerSchema, version, len(migrations))
	}
	if version == len(migrations) {
		return nil
	}
	for v := version; v < len(migrations); v++ {
		for _, stmt := range migrations[v] {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("migration %d: %w", v+1, err)
			}
		}
	}
	// PRAGMA takes no parameters; len(migrations) is ours.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(migrations))); err != nil {
		return fmt.Errorf("record schema version: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit migration: %w", err)
	}
	return nil
}
