package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/coffer-dev/coffer/internal/secrets"
	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// tx implements secrets.Tx on a database/sql transaction. Every record it
// returns is scanned into new memory, and every record it is given is encoded
// before the call returns, so neither side shares memory with the store.
type tx struct {
	tx *sql.Tx
	q  *queries
}

// stmt returns s bound to the transaction; it is closed when the transaction
// ends.
func (t *tx) stmt(ctx context.Context, s *sql.Stmt) *sql.Stmt {
	return t.tx.StmtContext(ctx, s)
}

// scanner is *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// notFound turns sql.ErrNoRows into an error wrapping secrets.ErrNotFound.
func notFound(err error, what, id string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s %s: %w", what, id, secrets.ErrNotFound)
	}
	return fmt.Errorf("get %s %s: %w", what, id, err)
}

// queryAll runs s and scans each row with scan.
func queryAll[T any](ctx context.Context, t *tx, s *sql.Stmt, scan func(scanner) (*T, error), args ...any) ([]*T, error) {
	rows, err := t.stmt(ctx, s).QueryContext(ctx, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*T
	for rows.Next() {
		r, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// exec runs s and wraps its error with what it was doing.
func (t *tx) exec(ctx context.Context, s *sql.Stmt, op string, args ...any) error {
	if _, err := t.stmt(ctx, s).ExecContext(ctx, args...); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// Secrets.

func scanSecret(r scanner) (*secrets.Secret, error) {
	var (
		s                                          secrets.Secret
		tags                                       string
		created, changed, accessed, deleted, purge int64
	)
	err := r.Scan(&s.ARN, &s.Account, &s.Region, &s.Name, &s.Description, &s.KMSKeyID, &tags,
		&s.OwningService, &created, &changed, &accessed, &deleted, &purge, &s.NextSeq, &s.ResourcePolicy)
	if err != nil {
		return nil, err
	}
	if s.Tags, err = decodeTags(tags); err != nil {
		return nil, fmt.Errorf("secret %s: %w", s.ARN, err)
	}
	s.CreatedAt = decodeTime(created)
	s.LastChangedAt = decodeTime(changed)
	s.LastAccessedAt = decodeTime(accessed)
	s.DeletedAt = decodeTime(deleted)
	s.PurgeAt = decodeTime(purge)
	return &s, nil
}

// SecretByARN returns the secret with exactly this ARN, or an error wrapping
// secrets.ErrNotFound.
func (t *tx) SecretByARN(ctx context.Context, arn string) (*secrets.Secret, error) {
	s, err := scanSecret(t.stmt(ctx, t.q.secretByARN).QueryRowContext(ctx, arn))
	if err != nil {
		return nil, notFound(err, "secret", arn)
	}
	return s, nil
}

// SecretByName returns the secret with this name in the account and region,
// or an error wrapping secrets.ErrNotFound.
func (t *tx) SecretByName(ctx context.Context, account, region, name string) (*secrets.Secret, error) {
	s, err := scanSecret(t.stmt(ctx, t.q.secretByName).QueryRowContext(ctx, account, region, name))
	if err != nil {
		return nil, notFound(err, "secret", account+"/"+region+"/"+name)
	}
	return s, nil
}

// Secrets returns every secret of the account and region ordered by ARN.
func (t *tx) Secrets(ctx context.Context, account, region string) ([]*secrets.Secret, error) {
	out, err := queryAll(ctx, t, t.q.secrets, scanSecret, account, region)
	if err != nil {
		return nil, fmt.Errorf("list secrets: %w", err)
	}
	return out, nil
}

// SecretsDueForPurge returns the ARNs of the secrets whose PurgeAt is set and
// not after at, earliest first.
func (t *tx) SecretsDueForPurge(ctx context.Context, at time.Time) ([]string, error) {
	scan := func(r scanner) (*string, error) {
		var arn string
		return &arn, r.Scan(&arn)
	}
	rows, err := queryAll(ctx, t, t.q.secretsDue, scan, boundTime(at))
	if err != nil {
		return nil, fmt.Errorf("list secrets due for purge: %w", err)
	}
	arns := make([]string, len(rows))
	for i, a := range rows {
		arns[i] = *a
	}
	return arns, nil
}

// PutSecret inserts s or replaces the secret with its ARN. It fails, with a
// *secrets.Error of kind secrets.Exists, when another ARN has the same name in
// the account and region.
func (t *tx) PutSecret(ctx context.Context, s *secrets.Secret) error {
	tags, err := encodeTags(s.Tags)
	if err != nil {
		return fmt.Errorf("put secret %s: %w", s.ARN, err)
	}
	var e times
	args := []any{s.ARN, s.Account, s.Region, s.Name, s.Description, s.KMSKeyID, tags, s.OwningService,
		e.enc("CreatedAt", s.CreatedAt), e.enc("LastChangedAt", s.LastChangedAt),
		e.enc("LastAccessedAt", s.LastAccessedAt), e.enc("DeletedAt", s.DeletedAt),
		e.enc("PurgeAt", s.PurgeAt), s.NextSeq, s.ResourcePolicy}
	if e.err != nil {
		return fmt.Errorf("put secret %s: %w", s.ARN, e.err)
	}
	if _, err := t.stmt(ctx, t.q.putSecret).ExecContext(ctx, args...); err != nil {
		if constraint(err, sqlite3.SQLITE_CONSTRAINT_UNIQUE) {
			return &secrets.Error{
				Kind: secrets.Exists,
				Op:   "sqlite.PutSecret",
				Msg:  fmt.Sprintf("a secret named %s already exists", s.Name),
				Err:  err,
			}
		}
		return fmt.Errorf("put secret %s: %w", s.ARN, err)
	}
	return nil
}

// constraint reports whether err is SQLite's extended result code code.
func constraint(err error, code int) bool {
	var e *msqlite.Error
	return errors.As(err, &e) && e.Code() == code
}

// DeleteSecret removes the secret and, by cascade, its versions.
func (t *tx) DeleteSecret(ctx context.Context, arn string) error {
	return t.exec(ctx, t.q.deleteSecret, "delete secret "+arn, arn)
}

// Versions.

func scanVersion(r scanner) (*secrets.Version, error) {
	var (
		v                 secrets.Version
		stages            string
		created, accessed int64
		binary, pruned    int64
	)
	err := r.Scan(&v.SecretARN, &v.ID, &v.Seq, &stages, &created, &accessed, &v.KMSKeyARN, &binary, &v.Sealed, &pruned)
	if err != nil {
		return nil, err
	}
	if v.Stages, err = decodeStages(stages); err != nil {
		return nil, fmt.Errorf("version %s of %s: %w", v.ID, v.SecretARN, err)
	}
	v.CreatedAt = decodeTime(created)
	v.LastAccessedAt = decodeTime(accessed)
	v.Binary = binary != 0
	v.PrunedAt = decodeTime(pruned)
	return &v, nil
}

// SecretWithStage implements secrets.StageReader: the secret key names and
// its version that carries stage (the one with the highest Seq if several
// do), or a nil version when none does.
func (t *tx) SecretWithStage(ctx context.Context, key secrets.SecretKey, stage string) (*secrets.Secret, *secrets.Version, error) {
	var row *sql.Row
	if key.ARN != "" {
		row = t.stmt(ctx, t.q.secretWithStageByARN).QueryRowContext(ctx, stage, key.ARN)
	} else {
		row = t.stmt(ctx, t.q.secretWithStageByName).QueryRowContext(ctx, stage, key.Account, key.Region, key.Name)
	}
	var (
		s                                          secrets.Secret
		tags                                       string
		created, changed, accessed, deleted, purge int64
		vARN, vID, vStages, vKey                   sql.NullString
		vSeq, vCreated, vAccessed, vBinary, vPrune sql.NullInt64
		vSealed                                    []byte
	)
	err := row.Scan(&s.ARN, &s.Account, &s.Region, &s.Name, &s.Description, &s.KMSKeyID, &tags,
		&s.OwningService, &created, &changed, &accessed, &deleted, &purge, &s.NextSeq, &s.ResourcePolicy,
		&vARN, &vID, &vSeq, &vStages, &vCreated, &vAccessed, &vKey, &vBinary, &vSealed, &vPrune)
	if err != nil {
		return nil, nil, notFound(err, "secret", key.ARN+key.Account+"/"+key.Region+"/"+key.Name)
	}
	if s.Tags, err = decodeTags(tags); err != nil {
		return nil, nil, fmt.Errorf("secret %s: %w", s.ARN, err)
	}
	s.CreatedAt, s.LastChangedAt, s.LastAccessedAt = decodeTime(created), decodeTime(changed), decodeTime(accessed)
	s.DeletedAt, s.PurgeAt = decodeTime(deleted), decodeTime(purge)
	if !vID.Valid {
		return &s, nil, nil
	}
	v := &secrets.Version{
		SecretARN: vARN.String, ID: vID.String, Seq: vSeq.Int64,
		CreatedAt: decodeTime(vCreated.Int64), LastAccessedAt: decodeTime(vAccessed.Int64),
		KMSKeyARN: vKey.String, Binary: vBinary.Int64 != 0, Sealed: vSealed,
		PrunedAt: decodeTime(vPrune.Int64),
	}
	if v.Stages, err = decodeStages(vStages.String); err != nil {
		return nil, nil, fmt.Errorf("version %s of %s: %w", v.ID, v.SecretARN, err)
	}
	return &s, v, nil
}

// Versions returns the versions of the secret ordered by Seq (then ID).
func (t *tx) Versions(ctx context.Context, secretARN string) ([]*secrets.Version, error) {
	out, err := queryAll(ctx, t, t.q.versions, scanVersion, secretARN)
	if err != nil {
		return nil, fmt.Errorf("list versions of %s: %w", secretARN, err)
	}
	return out, nil
}

// Version returns one version of the secret, or an error wrapping
// secrets.ErrNotFound.
func (t *tx) Version(ctx context.Context, secretARN, id string) (*secrets.Version, error) {
	v, err := scanVersion(t.stmt(ctx, t.q.version).QueryRowContext(ctx, secretARN, id))
	if err != nil {
		return nil, notFound(err, "version", secretARN+"/"+id)
	}
	return v, nil
}

// VersionByStage returns the version of the secret that carries the staging
// label, the one with the highest Seq if several do, or an error wrapping
// secrets.ErrNotFound.
func (t *tx) VersionByStage(ctx context.Context, secretARN, stage string) (*secrets.Version, error) {
	v, err := scanVersion(t.stmt(ctx, t.q.versionByStage).QueryRowContext(ctx, secretARN, stage))
	if err != nil {
		return nil, notFound(err, "version", secretARN+"/"+stage)
	}
	return v, nil
}

// PutVersion inserts v or replaces the version with its secret ARN and ID.
// It fails if the secret does not exist.
func (t *tx) PutVersion(ctx context.Context, v *secrets.Version) error {
	stages, err := encodeStages(v.Stages)
	if err != nil {
		return fmt.Errorf("put version %s of %s: %w", v.ID, v.SecretARN, err)
	}
	var e times
	args := []any{v.SecretARN, v.ID, v.Seq, stages,
		e.enc("CreatedAt", v.CreatedAt), e.enc("LastAccessedAt", v.LastAccessedAt),
		v.KMSKeyARN, v.Binary, blob(v.Sealed), e.enc("PrunedAt", v.PrunedAt)}
	if e.err != nil {
		return fmt.Errorf("put version %s of %s: %w", v.ID, v.SecretARN, e.err)
	}
	return t.exec(ctx, t.q.putVersion, "put version "+v.ID+" of "+v.SecretARN, args...)
}

// DeleteVersion removes one version; a missing one is not an error.
func (t *tx) DeleteVersion(ctx context.Context, secretARN, id string) error {
	return t.exec(ctx, t.q.deleteVersion, "delete version "+id+" of "+secretARN, secretARN, id)
}

// KMS keys and aliases.

func scanKMSKey(r scanner) (*secrets.KMSKey, error) {
	var (
		k        secrets.KMSKey
		created  int64
		material []byte
	)
	var attrs string
	err := r.Scan(&k.ARN, &k.ID, &k.Account, &k.Region, &k.Description, &k.Manager, &k.State, &created, &material, &attrs)
	if err != nil {
		return nil, err
	}
	if k.Material, err = decodeMaterial(material); err != nil {
		return nil, fmt.Errorf("key %s: %w", k.ARN, err)
	}
	if err := decodeKeyAttrs(attrs, &k); err != nil {
		return nil, fmt.Errorf("key %s: %w", k.ARN, err)
	}
	k.CreatedAt = decodeTime(created)
	return &k, nil
}

// KMSKeys returns the keys of the account and region, or all keys when
// account is empty, ordered by ARN.
func (t *tx) KMSKeys(ctx context.Context, account, region string) ([]*secrets.KMSKey, error) {
	var (
		out []*secrets.KMSKey
		err error
	)
	if account == "" {
		out, err = queryAll(ctx, t, t.q.allKMSKeys, scanKMSKey)
	} else {
		out, err = queryAll(ctx, t, t.q.kmsKeys, scanKMSKey, account, region)
	}
	if err != nil {
		return nil, fmt.Errorf("list KMS keys: %w", err)
	}
	return out, nil
}

// DeleteKMSKey removes a key; a missing one is not an error.
func (t *tx) DeleteKMSKey(ctx context.Context, arn string) error {
	return t.exec(ctx, t.q.deleteKMSKey, "delete KMS key "+arn, arn)
}

// KMSAliases returns the aliases of the account and region ordered by name,
// or every alias when account is empty.
func (t *tx) KMSAliases(ctx context.Context, account, region string) ([]*secrets.KMSAlias, error) {
	var (
		out []*secrets.KMSAlias
		err error
	)
	if account == "" {
		out, err = queryAll(ctx, t, t.q.allKMSAliases, scanKMSAlias)
	} else {
		out, err = queryAll(ctx, t, t.q.kmsAliases, scanKMSAlias, account, region)
	}
	if err != nil {
		return nil, fmt.Errorf("list KMS aliases: %w", err)
	}
	return out, nil
}

// DeleteKMSAlias removes an alias; a missing one is not an error.
func (t *tx) DeleteKMSAlias(ctx context.Context, arn string) error {
	return t.exec(ctx, t.q.deleteKMSAlias, "delete KMS alias "+arn, arn)
}

// Meta returns the value stored under name, or an error wrapping
// secrets.ErrNotFound.
func (t *tx) Meta(ctx context.Context, name string) ([]byte, error) {
	var v []byte
	if err := t.stmt(ctx, t.q.meta).QueryRowContext(ctx, name).Scan(&v); err != nil {
		return nil, notFound(err, "meta", name)
	}
	return v, nil
}

// PutMeta stores value under name.
func (t *tx) PutMeta(ctx context.Context, name string, value []byte) error {
	return t.exec(ctx, t.q.putMeta, "put meta "+name, name, blob(value))
}

// KMSKey returns the key with this ARN, or an error wrapping
// secrets.ErrNotFound.
func (t *tx) KMSKey(ctx context.Context, arn string) (*secrets.KMSKey, error) {
	k, err := scanKMSKey(t.stmt(ctx, t.q.kmsKey).QueryRowContext(ctx, arn))
	if err != nil {
		return nil, notFound(err, "KMS key", arn)
	}
	return k, nil
}

// PutKMSKey inserts k or replaces the key with its ARN.
func (t *tx) PutKMSKey(ctx context.Context, k *secrets.KMSKey) error {
	created, err := encodeTime(k.CreatedAt)
	if err != nil {
		return fmt.Errorf("put KMS key %s: CreatedAt: %w", k.ARN, err)
	}
	attrs, err := encodeKeyAttrs(k)
	if err != nil {
		return fmt.Errorf("put KMS key %s: %w", k.ARN, err)
	}
	return t.exec(ctx, t.q.putKMSKey, "put KMS key "+k.ARN,
		k.ARN, k.ID, k.Account, k.Region, k.Description, k.Manager, k.State, created, encodeMaterial(k.Material), attrs)
}

func scanKMSAlias(r scanner) (*secrets.KMSAlias, error) {
	var (
		a       secrets.KMSAlias
		created int64
	)
	if err := r.Scan(&a.ARN, &a.Name, &a.Account, &a.Region, &a.TargetKey, &created); err != nil {
		return nil, err
	}
	a.CreatedAt = decodeTime(created)
	return &a, nil
}

// KMSAlias returns the alias with this ARN, or an error wrapping
// secrets.ErrNotFound.
func (t *tx) KMSAlias(ctx context.Context, arn string) (*secrets.KMSAlias, error) {
	a, err := scanKMSAlias(t.stmt(ctx, t.q.kmsAlias).QueryRowContext(ctx, arn))
	if err != nil {
		return nil, notFound(err, "KMS alias", arn)
	}
	return a, nil
}

// PutKMSAlias inserts a or replaces the alias with its ARN.
func (t *tx) PutKMSAlias(ctx context.Context, a *secrets.KMSAlias) error {
	created, err := encodeTime(a.CreatedAt)
	if err != nil {
		return fmt.Errorf("put KMS alias %s: CreatedAt: %w", a.ARN, err)
	}
	return t.exec(ctx, t.q.putKMSAlias, "put KMS alias "+a.ARN,
		a.ARN, a.Name, a.Account, a.Region, a.TargetKey, created)
}

// Accounts and access keys.

func scanAccount(r scanner) (*secrets.Account, error) {
	var (
		a       secrets.Account
		created int64
	)
	if err := r.Scan(&a.ID, &created); err != nil {
		return nil, err
	}
	a.CreatedAt = decodeTime(created)
	return &a, nil
}

// Account returns the account with this id, or an error wrapping
// secrets.ErrNotFound.
func (t *tx) Account(ctx context.Context, id string) (*secrets.Account, error) {
	a, err := scanAccount(t.stmt(ctx, t.q.account).QueryRowContext(ctx, id))
	if err != nil {
		return nil, notFound(err, "account", id)
	}
	return a, nil
}

// Accounts returns every account ordered by id.
func (t *tx) Accounts(ctx context.Context) ([]*secrets.Account, error) {
	out, err := queryAll(ctx, t, t.q.accounts, scanAccount)
	if err != nil {
		return nil, fmt.Errorf("list accounts: %w", err)
	}
	return out, nil
}

// PutAccount inserts a or replaces the account with its id.
func (t *tx) PutAccount(ctx context.Context, a *secrets.Account) error {
	created, err := encodeTime(a.CreatedAt)
	if err != nil {
		return fmt.Errorf("put account %s: CreatedAt: %w", a.ID, err)
	}
	return t.exec(ctx, t.q.putAccount, "put account "+a.ID, a.ID, created)
}

func scanAccessKey(r scanner) (*secrets.AccessKey, error) {
	var (
		k       secrets.AccessKey
		created int64
	)
	if err := r.Scan(&k.ID, &k.Account, &k.Principal, &k.Status, &k.SealedSecret, &created); err != nil {
		return nil, err
	}
	k.CreatedAt = decodeTime(created)
	return &k, nil
}

// AccessKey returns the access key with this id, or an error wrapping
// secrets.ErrNotFound.
func (t *tx) AccessKey(ctx context.Context, id string) (*secrets.AccessKey, error) {
	k, err := scanAccessKey(t.stmt(ctx, t.q.accessKey).QueryRowContext(ctx, id))
	if err != nil {
		return nil, notFound(err, "access key", id)
	}
	return k, nil
}

// AccessKeys returns the access keys of the account ordered by id.
func (t *tx) AccessKeys(ctx context.Context, account string) ([]*secrets.AccessKey, error) {
	out, err := queryAll(ctx, t, t.q.accessKeys, scanAccessKey, account)
	if err != nil {
		return nil, fmt.Errorf("list access keys of %s: %w", account, err)
	}
	return out, nil
}

// PutAccessKey inserts k or replaces the access key with its id.
func (t *tx) PutAccessKey(ctx context.Context, k *secrets.AccessKey) error {
	created, err := encodeTime(k.CreatedAt)
	if err != nil {
		return fmt.Errorf("put access key %s: CreatedAt: %w", k.ID, err)
	}
	return t.exec(ctx, t.q.putAccessKey, "put access key "+k.ID,
		k.ID, k.Account, k.Principal, k.Status, blob(k.SealedSecret), created)
}
