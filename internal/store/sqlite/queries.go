package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

const (
	secretCols = `arn, account, region, name, description, kms_key_id, tags, owning_service,
		created_at, last_changed_at, last_accessed_at, deleted_at, purge_at, next_seq, resource_policy`
	versionCols = `secret_arn, id, seq, stages, created_at, last_accessed_at, kms_key_arn, is_binary, sealed, pruned_at`
	kmsKeyCols  = `arn, id, account, region, description, manager, state, created_at, material, attrs`
	aliasCols   = `arn, name, account, region, target_key, created_at`
	accountCols = `id, created_at`
	accessCols  = `id, account, principal, status, sealed_secret, created_at`
	iamCols     = `id, account, kind, name_key, name, attrs`
	auditCols   = `seq, time, account, principal, event_name, error_code, resources, prev_hmac, hmac, event`
)

// queries are the statements a Tx runs, prepared once per pool. database/sql
// prepares each on a connection the first time a transaction on it uses it,
// and reuses it after.
type queries struct {
	secretByARN, secretByName, secrets, secretsDue, putSecret, deleteSecret *sql.Stmt
	versions, version, versionByStage, putVersion, deleteVersion            *sql.Stmt
	secretWithStageByARN, secretWithStageByName                             *sql.Stmt
	kmsKey, putKMSKey, kmsAlias, putKMSAlias                                *sql.Stmt
	kmsKeys, allKMSKeys, deleteKMSKey, kmsAliases, allKMSAliases            *sql.Stmt
	deleteKMSAlias, meta, putMeta                                           *sql.Stmt
	account, accounts, putAccount, accessKey, accessKeys, putAccessKey      *sql.Stmt
	accessKeysByPrincipal, deleteAccessKey                                  *sql.Stmt
	iamEntity, iamEntities, putIAMEntity, deleteIAMEntity                   *sql.Stmt
	auditInsert, auditHead, putAuditHead, auditRechain, auditPrune          *sql.Stmt

	all []*sql.Stmt
}

func prepare(ctx context.Context, db *sql.DB) (*queries, error) {
	q := new(queries)
	for _, p := range []struct {
		stmt **sql.Stmt
		sql  string
	}{
		{&q.secretByARN, `SELECT ` + secretCols + ` FROM secrets WHERE arn = ?`},
		{&q.secretByName, `SELECT ` + secretCols + ` FROM secrets WHERE account = ? AND region = ? AND name = ?`},
		{&q.secrets, `SELECT ` + secretCols + ` FROM secrets WHERE account = ? AND region = ? ORDER BY arn`},
		{&q.secretsDue, `SELECT arn FROM secrets WHERE purge_at <> 0 AND purge_at <= ? ORDER BY purge_at, arn`},
		// A clash on (account, region, name) with another ARN fails the
		// statement (see upsert for why not INSERT OR REPLACE).
		{&q.putSecret, upsert("secrets", secretCols, "arn")},
		// The versions go by ON DELETE CASCADE.
		{&q.deleteSecret, `DELETE FROM secrets WHERE arn = ?`},

		{&q.versions, `SELECT ` + versionCols + ` FROM versions WHERE secret_arn = ? ORDER BY seq, id`},
		{&q.version, `SELECT ` + versionCols + ` FROM versions WHERE secret_arn = ? AND id = ?`},
		{&q.versionByStage, `SELECT ` + versionCols + ` FROM versions
			WHERE secret_arn = ?1 AND ` + hasStage("versions", "?2") + `
			ORDER BY seq DESC LIMIT 1`},
		{&q.putVersion, upsert("versions", versionCols, "secret_arn, id")},
		// A secret and its version with a stage in one statement: the read
		// path of GetSecretValue. One statement reads one snapshot.
		{&q.secretWithStageByARN, secretWithStage(`s.arn = ?2`)},
		{&q.secretWithStageByName, secretWithStage(`s.account = ?2 AND s.region = ?3 AND s.name = ?4`)},
		{&q.deleteVersion, `DELETE FROM versions WHERE secret_arn = ? AND id = ?`},

		{&q.kmsKey, `SELECT ` + kmsKeyCols + ` FROM kms_keys WHERE arn = ?`},
		{&q.putKMSKey, upsert("kms_keys", kmsKeyCols, "arn")},
		{&q.kmsAlias, `SELECT ` + aliasCols + ` FROM kms_aliases WHERE arn = ?`},
		{&q.putKMSAlias, upsert("kms_aliases", aliasCols, "arn")},
		{&q.kmsKeys, `SELECT ` + kmsKeyCols + ` FROM kms_keys WHERE account = ? AND region = ? ORDER BY arn`},
		{&q.allKMSKeys, `SELECT ` + kmsKeyCols + ` FROM kms_keys ORDER BY arn`},
		{&q.deleteKMSKey, `DELETE FROM kms_keys WHERE arn = ?`},
		{&q.kmsAliases, `SELECT ` + aliasCols + ` FROM kms_aliases WHERE account = ? AND region = ? ORDER BY name`},
		{&q.allKMSAliases, `SELECT ` + aliasCols + ` FROM kms_aliases ORDER BY account, region, name`},
		{&q.deleteKMSAlias, `DELETE FROM kms_aliases WHERE arn = ?`},
		{&q.meta, `SELECT value FROM meta WHERE name = ?`},
		{&q.putMeta, upsert("meta", "name, value", "name")},

		{&q.account, `SELECT ` + accountCols + ` FROM accounts WHERE id = ?`},
		{&q.accounts, `SELECT ` + accountCols + ` FROM accounts ORDER BY id`},
		{&q.putAccount, upsert("accounts", accountCols, "id")},
		{&q.accessKey, `SELECT ` + accessCols + ` FROM access_keys WHERE id = ?`},
		{&q.accessKeys, `SELECT ` + accessCols + ` FROM access_keys WHERE account = ? ORDER BY id`},
		{&q.putAccessKey, upsert("access_keys", accessCols, "id")},
		{&q.accessKeysByPrincipal, `SELECT ` + accessCols + ` FROM access_keys WHERE principal = ? ORDER BY created_at, id`},
		{&q.deleteAccessKey, `DELETE FROM access_keys WHERE id = ?`},

		{&q.iamEntity, `SELECT ` + iamCols + ` FROM iam_entities WHERE account = ? AND kind = ? AND name_key = ?`},
		{&q.iamEntities, `SELECT ` + iamCols + ` FROM iam_entities WHERE account = ? AND kind = ? ORDER BY name_key`},
		// A clash on (account, kind, name_key) with another id fails the
		// statement, as for secrets.
		{&q.putIAMEntity, upsert("iam_entities", iamCols, "id")},
		{&q.deleteIAMEntity, `DELETE FROM iam_entities WHERE id = ? AND kind = ?`},

		{&q.auditInsert, `INSERT INTO audit_events (` + auditCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{&q.auditHead, `SELECT seq, hmac, anchor_seq, anchor_prev, mac FROM audit_head WHERE id = 1`},
		{&q.putAuditHead, upsert("audit_head", "id, seq, hmac, anchor_seq, anchor_prev, mac", "id")},
		{&q.auditRechain, `UPDATE audit_events SET prev_hmac = ?, hmac = ? WHERE seq = ?`},
		{&q.auditPrune, `DELETE FROM audit_events WHERE seq < ?`},
	} {
		s, err := db.PrepareContext(ctx, p.sql)
		if err != nil {
			q.close()
			return nil, fmt.Errorf("prepare %q: %w", p.sql, err)
		}
		*p.stmt = s
		q.all = append(q.all, s)
	}
	return q, nil
}

// secretWithStage returns a query for a secret matching where and, when one
// carries the stage (parameter ?1), its version: NULL columns if none.
func secretWithStage(where string) string {
	return `SELECT ` + prefixed("s", secretCols) + `, ` + prefixed("v", versionCols) + `
		FROM secrets s LEFT JOIN versions v ON v.secret_arn = s.arn AND ` + hasStage("v", "?1") + `
		WHERE ` + where + ` ORDER BY v.seq DESC LIMIT 1`
}

// hasStage is a condition that the stages of alias hold param. The instr
// test is a cheap filter that lets json_each, the exact test, run only on
// rows that may match.
func hasStage(alias, param string) string {
	return `instr(` + alias + `.stages, json_quote(` + param + `)) > 0
		AND EXISTS (SELECT 1 FROM json_each(` + alias + `.stages) WHERE json_each.value = ` + param + `)`
}

// prefixed qualifies each of cols with alias.
func prefixed(alias, cols string) string {
	names := strings.Split(cols, ",")
	for i, c := range names {
		names[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(names, ", ")
}

// upsert returns an INSERT of cols into table that, when a row with the same
// key exists, updates that row in place. Every put is an upsert rather than
// INSERT OR REPLACE, which deletes the old row first: that would cascade to
// rows referencing it (a secret's versions) and fire delete triggers.
func upsert(table, cols, key string) string {
	names := strings.Split(cols, ",")
	keys := make(map[string]bool)
	for _, k := range strings.Split(key, ",") {
		keys[strings.TrimSpace(k)] = true
	}
	var set []string
	for i, c := range names {
		c = strings.TrimSpace(c)
		names[i] = c
		if !keys[c] {
			set = append(set, c+" = excluded."+c)
		}
	}
	return "INSERT INTO " + table + " (" + strings.Join(names, ", ") + ")" +
		" VALUES (?" + strings.Repeat(", ?", len(names)-1) + ")" +
		" ON CONFLICT (" + key + ") DO UPDATE SET " + strings.Join(set, ", ")
}

func (q *queries) close() error {
	var errs []error
	for _, s := range q.all {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}
