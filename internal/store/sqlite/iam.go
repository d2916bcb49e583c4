package sqlite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/coffer-dev/coffer/internal/secrets"
	sqlite3 "modernc.org/sqlite/lib"
)

// IAM entities are rows of iam_entities: the columns an entity is found by
// (id; account, kind and name without regard to case) and the rest as one
// JSON object in attrs. Times in attrs are Unix nanoseconds, 0 for the
// zero time, as in the columns of other tables.

// IAM entity kinds, as stored in the kind column.
const (
	kindUser   = "user"
	kindGroup  = "group"
	kindRole   = "role"
	kindPolicy = "policy"
)

// nameKey is the form of a name that is unique within an account and kind:
// IAM names are unique without regard to case. Names are ASCII (the
// service model's [\w+=,.@-]+), so lower-casing them is exact.
func nameKey(name string) string { return strings.ToLower(name) }

type iamRow struct {
	id, account, kind, nameKey, name, attrs string
}

func scanIAMRow(r scanner) (*iamRow, error) {
	var row iamRow
	if err := r.Scan(&row.id, &row.account, &row.kind, &row.nameKey, &row.name, &row.attrs); err != nil {
		return nil, err
	}
	return &row, nil
}

// iamGet returns the row of the entity of the kind, account and name.
func (t *tx) iamGet(ctx context.Context, kind, account, name string) (*iamRow, error) {
	row, err := scanIAMRow(t.stmt(ctx, t.q.iamEntity).QueryRowContext(ctx, account, kind, nameKey(name)))
	if err != nil {
		return nil, notFound(err, "IAM "+kind, account+"/"+name)
	}
	return row, nil
}

// iamList returns the rows of every entity of the kind in the account,
// ordered by name without regard to case.
func (t *tx) iamList(ctx context.Context, kind, account string) ([]*iamRow, error) {
	rows, err := queryAll(ctx, t, t.q.iamEntities, scanIAMRow, account, kind)
	if err != nil {
		return nil, fmt.Errorf("list IAM %ss of %s: %w", kind, account, err)
	}
	return rows, nil
}

// iamPut inserts or replaces, by id, the entity with attrs a (encoded as
// JSON). A name another entity of the kind has in the account is an Exists
// *secrets.Error.
func (t *tx) iamPut(ctx context.Context, kind, id, account, name string, a any) error {
	what := "put IAM " + kind + " " + account + "/" + name
	if id == "" || account == "" || name == "" {
		return fmt.Errorf("%s: id, account and name are required", what)
	}
	if !utf8.ValidString(name) {
		return fmt.Errorf("%s: name is not valid UTF-8", what)
	}
	attrs, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	_, err = t.stmt(ctx, t.q.putIAMEntity).ExecContext(ctx, id, account, kind, nameKey(name), name, string(attrs))
	if err != nil {
		if constraint(err, sqlite3.SQLITE_CONSTRAINT_UNIQUE) {
			return &secrets.Error{
				Kind: secrets.Exists,
				Op:   "sqlite.PutIAM",
				Msg:  fmt.Sprintf("an IAM %s named %s already exists", kind, name),
				Err:  err,
			}
		}
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

func (t *tx) iamDelete(ctx context.Context, kind, id string) error {
	return t.exec(ctx, t.q.deleteIAMEntity, "delete IAM "+kind+" "+id, id, kind)
}

// iamGetAs and iamListAs decode rows into records with decode.
func iamGetAs[T any](ctx context.Context, t *tx, kind, account, name string, decode func(*iamRow) (*T, error)) (*T, error) {
	row, err := t.iamGet(ctx, kind, account, name)
	if err != nil {
		return nil, err
	}
	return decode(row)
}

func iamListAs[T any](ctx context.Context, t *tx, kind, account string, decode func(*iamRow) (*T, error)) ([]*T, error) {
	rows, err := t.iamList(ctx, kind, account)
	if err != nil {
		return nil, err
	}
	out := make([]*T, 0, len(rows))
	for _, row := range rows {
		r, err := decode(row)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// The JSON forms of each kind's attributes.

type iamInlineJSON struct {
	Name     string `json:"name"`
	Document string `json:"doc"`
}

type iamUserAttrs struct {
	ARN       string          `json:"arn"`
	Path      string          `json:"path"`
	CreatedAt int64           `json:"created"`
	Tags      [][2]string     `json:"tags,omitempty"`
	Groups    []string        `json:"groups,omitempty"`
	Inline    []iamInlineJSON `json:"inline,omitempty"`
	Attached  []string        `json:"attached,omitempty"`
}

type iamGroupAttrs struct {
	ARN       string          `json:"arn"`
	Path      string          `json:"path"`
	CreatedAt int64           `json:"created"`
	Inline    []iamInlineJSON `json:"inline,omitempty"`
	Attached  []string        `json:"attached,omitempty"`
}

type iamRoleAttrs struct {
	ARN                string          `json:"arn"`
	Path               string          `json:"path"`
	CreatedAt          int64           `json:"created"`
	TrustPolicy        string          `json:"trust"`
	Description        string          `json:"description,omitempty"`
	MaxSessionDuration int             `json:"max_session"`
	Tags               [][2]string     `json:"tags,omitempty"`
	Inline             []iamInlineJSON `json:"inline,omitempty"`
	Attached           []string        `json:"attached,omitempty"`
}

type iamVersionJSON struct {
	ID        string `json:"id"`
	Document  string `json:"doc"`
	CreatedAt int64  `json:"created"`
}

type iamPolicyAttrs struct {
	ARN             string           `json:"arn"`
	Path            string           `json:"path"`
	Description     string           `json:"description,omitempty"`
	CreatedAt       int64            `json:"created"`
	UpdatedAt       int64            `json:"updated"`
	Tags            [][2]string      `json:"tags,omitempty"`
	DefaultVersion  string           `json:"default"`
	NextVersion     int              `json:"next"`
	Versions        []iamVersionJSON `json:"versions"`
	AttachmentCount int              `json:"attachments"`
}

// iamText checks that strings JSON would change (invalid UTF-8) are not
// among an entity's attributes: they are refused rather than altered.
func iamText(ss ...string) error {
	for _, s := range ss {
		if !utf8.ValidString(s) {
			return errors.New("text is not valid UTF-8")
		}
	}
	return nil
}

func tagPairs(tags []secrets.Tag) ([][2]string, error) {
	if len(tags) == 0 {
		return nil, nil
	}
	out := make([][2]string, len(tags))
	for i, t := range tags {
		if err := iamText(t.Key, t.Value); err != nil {
			return nil, fmt.Errorf("tag: %w", err)
		}
		out[i] = [2]string{t.Key, t.Value}
	}
	return out, nil
}

func pairTags(pairs [][2]string) []secrets.Tag {
	if len(pairs) == 0 {
		return nil
	}
	out := make([]secrets.Tag, len(pairs))
	for i, p := range pairs {
		out[i] = secrets.Tag{Key: p[0], Value: p[1]}
	}
	return out
}

func inlineJSON(ps []secrets.IAMInlinePolicy) ([]iamInlineJSON, error) {
	if len(ps) == 0 {
		return nil, nil
	}
	out := make([]iamInlineJSON, len(ps))
	for i, p := range ps {
		if err := iamText(p.Name, p.Document); err != nil {
			return nil, fmt.Errorf("inline policy: %w", err)
		}
		out[i] = iamInlineJSON{Name: p.Name, Document: p.Document}
	}
	return out, nil
}

func inlinePolicies(js []iamInlineJSON) []secrets.IAMInlinePolicy {
	if len(js) == 0 {
		return nil
	}
	out := make([]secrets.IAMInlinePolicy, len(js))
	for i, j := range js {
		out[i] = secrets.IAMInlinePolicy{Name: j.Name, Document: j.Document}
	}
	return out
}

// strs returns a copy of ss, nil when empty, after checking its text.
func strs(ss []string) ([]string, error) {
	if len(ss) == 0 {
		return nil, nil
	}
	if err := iamText(ss...); err != nil {
		return nil, err
	}
	return append([]string(nil), ss...), nil
}

func decodeAttrs(row *iamRow, a any) error {
	if err := json.Unmarshal([]byte(row.attrs), a); err != nil {
		return fmt.Errorf("IAM %s %s: decode attributes: %w", row.kind, row.id, err)
	}
	return nil
}

// Users.

func encodeUser(u *secrets.IAMUser) (*iamUserAttrs, error) {
	var e times
	a := &iamUserAttrs{ARN: u.ARN, Path: u.Path, CreatedAt: e.enc("CreatedAt", u.CreatedAt)}
	if e.err != nil {
		return nil, e.err
	}
	var err error
	if err = iamText(u.ARN, u.Path); err != nil {
		return nil, err
	}
	if a.Tags, err = tagPairs(u.Tags); err != nil {
		return nil, err
	}
	if a.Groups, err = strs(u.Groups); err != nil {
		return nil, err
	}
	if a.Inline, err = inlineJSON(u.Inline); err != nil {
		return nil, err
	}
	if a.Attached, err = strs(u.Attached); err != nil {
		return nil, err
	}
	return a, nil
}

func decodeUser(row *iamRow) (*secrets.IAMUser, error) {
	var a iamUserAttrs
	if err := decodeAttrs(row, &a); err != nil {
		return nil, err
	}
	return &secrets.IAMUser{
		Account: row.account, Name: row.name, ID: row.id, Path: a.Path, ARN: a.ARN,
		CreatedAt: decodeTime(a.CreatedAt), Tags: pairTags(a.Tags), Groups: a.Groups,
		Inline: inlinePolicies(a.Inline), Attached: a.Attached,
	}, nil
}

// IAMUser returns the user of the account with this name, without regard
// to case, or an error wrapping secrets.ErrNotFound.
func (t *tx) IAMUser(ctx context.Context, account, name string) (*secrets.IAMUser, error) {
	return iamGetAs(ctx, t, kindUser, account, name, decodeUser)
}

// IAMUsers returns the users of the account ordered by name without regard
// to case.
func (t *tx) IAMUsers(ctx context.Context, account string) ([]*secrets.IAMUser, error) {
	return iamListAs(ctx, t, kindUser, account, decodeUser)
}

// PutIAMUser inserts u or replaces the user with its ID.
func (t *tx) PutIAMUser(ctx context.Context, u *secrets.IAMUser) error {
	a, err := encodeUser(u)
	if err != nil {
		return fmt.Errorf("put IAM user %s: %w", u.ID, err)
	}
	return t.iamPut(ctx, kindUser, u.ID, u.Account, u.Name, a)
}

// DeleteIAMUser removes the user with this ID; a missing one is not an
// error.
func (t *tx) DeleteIAMUser(ctx context.Context, id string) error {
	return t.iamDelete(ctx, kindUser, id)
}

// Groups.

func encodeGroup(g *secrets.IAMGroup) (*iamGroupAttrs, error) {
	var e times
	a := &iamGroupAttrs{ARN: g.ARN, Path: g.Path, CreatedAt: e.enc("CreatedAt", g.CreatedAt)}
	if e.err != nil {
		return nil, e.err
	}
	var err error
	if err = iamText(g.ARN, g.Path); err != nil {
		return nil, err
	}
	if a.Inline, err = inlineJSON(g.Inline); err != nil {
		return nil, err
	}
	if a.Attached, err = strs(g.Attached); err != nil {
		return nil, err
	}
	return a, nil
}

func decodeGroup(row *iamRow) (*secrets.IAMGroup, error) {
	var a iamGroupAttrs
	if err := decodeAttrs(row, &a); err != nil {
		return nil, err
	}
	return &secrets.IAMGroup{
		Account: row.account, Name: row.name, ID: row.id, Path: a.Path, ARN: a.ARN,
		CreatedAt: decodeTime(a.CreatedAt), Inline: inlinePolicies(a.Inline), Attached: a.Attached,
	}, nil
}

// IAMGroup returns the group of the account with this name, without regard
// to case, or an error wrapping secrets.ErrNotFound.
func (t *tx) IAMGroup(ctx context.Context, account, name string) (*secrets.IAMGroup, error) {
	return iamGetAs(ctx, t, kindGroup, account, name, decodeGroup)
}

// IAMGroups returns the groups of the account ordered by name without
// regard to case.
func (t *tx) IAMGroups(ctx context.Context, account string) ([]*secrets.IAMGroup, error) {
	return iamListAs(ctx, t, kindGroup, account, decodeGroup)
}

// PutIAMGroup inserts g or replaces the group with its ID.
func (t *tx) PutIAMGroup(ctx context.Context, g *secrets.IAMGroup) error {
	a, err := encodeGroup(g)
	if err != nil {
		return fmt.Errorf("put IAM group %s: %w", g.ID, err)
	}
	return t.iamPut(ctx, kindGroup, g.ID, g.Account, g.Name, a)
}

// DeleteIAMGroup removes the group with this ID; a missing one is not an
// error.
func (t *tx) DeleteIAMGroup(ctx context.Context, id string) error {
	return t.iamDelete(ctx, kindGroup, id)
}

// Roles.

func encodeRole(r *secrets.IAMRole) (*iamRoleAttrs, error) {
	var e times
	a := &iamRoleAttrs{
		ARN: r.ARN, Path: r.Path, CreatedAt: e.enc("CreatedAt", r.CreatedAt),
		TrustPolicy: r.TrustPolicy, Description: r.Description, MaxSessionDuration: r.MaxSessionDuration,
	}
	if e.err != nil {
		return nil, e.err
	}
	var err error
	if err = iamText(r.ARN, r.Path, r.TrustPolicy, r.Description); err != nil {
		return nil, err
	}
	if a.Tags, err = tagPairs(r.Tags); err != nil {
		return nil, err
	}
	if a.Inline, err = inlineJSON(r.Inline); err != nil {
		return nil, err
	}
	if a.Attached, err = strs(r.Attached); err != nil {
		return nil, err
	}
	return a, nil
}

func decodeRole(row *iamRow) (*secrets.IAMRole, error) {
	var a iamRoleAttrs
	if err := decodeAttrs(row, &a); err != nil {
		return nil, err
	}
	return &secrets.IAMRole{
		Account: row.account, Name: row.name, ID: row.id, Path: a.Path, ARN: a.ARN,
		CreatedAt: decodeTime(a.CreatedAt), TrustPolicy: a.TrustPolicy, Description: a.Description,
		MaxSessionDuration: a.MaxSessionDuration, Tags: pairTags(a.Tags),
		Inline: inlinePolicies(a.Inline), Attached: a.Attached,
	}, nil
}

// IAMRole returns the role of the account with this name, without regard
// to case, or an error wrapping secrets.ErrNotFound.
func (t *tx) IAMRole(ctx context.Context, account, name string) (*secrets.IAMRole, error) {
	return iamGetAs(ctx, t, kindRole, account, name, decodeRole)
}

// IAMRoles returns the roles of the account ordered by name without regard
// to case.
func (t *tx) IAMRoles(ctx context.Context, account string) ([]*secrets.IAMRole, error) {
	return iamListAs(ctx, t, kindRole, account, decodeRole)
}

// PutIAMRole inserts r or replaces the role with its ID.
func (t *tx) PutIAMRole(ctx context.Context, r *secrets.IAMRole) error {
	a, err := encodeRole(r)
	if err != nil {
		return fmt.Errorf("put IAM role %s: %w", r.ID, err)
	}
	return t.iamPut(ctx, kindRole, r.ID, r.Account, r.Name, a)
}

// DeleteIAMRole removes the role with this ID; a missing one is not an
// error.
func (t *tx) DeleteIAMRole(ctx context.Context, id string) error {
	return t.iamDelete(ctx, kindRole, id)
}

// Managed policies.

func encodePolicy(p *secrets.IAMPolicy) (*iamPolicyAttrs, error) {
	var e times
	a := &iamPolicyAttrs{
		ARN: p.ARN, Path: p.Path, Description: p.Description,
		CreatedAt: e.enc("CreatedAt", p.CreatedAt), UpdatedAt: e.enc("UpdatedAt", p.UpdatedAt),
		DefaultVersion: p.DefaultVersion, NextVersion: p.NextVersion, AttachmentCount: p.AttachmentCount,
		Versions: make([]iamVersionJSON, 0, len(p.Versions)),
	}
	for _, v := range p.Versions {
		a.Versions = append(a.Versions, iamVersionJSON{ID: v.ID, Document: v.Document, CreatedAt: e.enc("Versions.CreatedAt", v.CreatedAt)})
		if err := iamText(v.ID, v.Document); err != nil {
			return nil, fmt.Errorf("version: %w", err)
		}
	}
	if e.err != nil {
		return nil, e.err
	}
	var err error
	if err = iamText(p.ARN, p.Path, p.Description, p.DefaultVersion); err != nil {
		return nil, err
	}
	if a.Tags, err = tagPairs(p.Tags); err != nil {
		return nil, err
	}
	return a, nil
}

func decodePolicy(row *iamRow) (*secrets.IAMPolicy, error) {
	var a iamPolicyAttrs
	if err := decodeAttrs(row, &a); err != nil {
		return nil, err
	}
	p := &secrets.IAMPolicy{
		Account: row.account, Name: row.name, ID: row.id, Path: a.Path, ARN: a.ARN,
		Description: a.Description, CreatedAt: decodeTime(a.CreatedAt), UpdatedAt: decodeTime(a.UpdatedAt),
		Tags: pairTags(a.Tags), DefaultVersion: a.DefaultVersion, NextVersion: a.NextVersion,
		AttachmentCount: a.AttachmentCount,
	}
	for _, v := range a.Versions {
		p.Versions = append(p.Versions, secrets.IAMPolicyVersion{ID: v.ID, Document: v.Document, CreatedAt: decodeTime(v.CreatedAt)})
	}
	return p, nil
}

// IAMPolicy returns the customer managed policy of the account with this
// name, without regard to case, or an error wrapping secrets.ErrNotFound.
func (t *tx) IAMPolicy(ctx context.Context, account, name string) (*secrets.IAMPolicy, error) {
	return iamGetAs(ctx, t, kindPolicy, account, name, decodePolicy)
}

// IAMPolicies returns the customer managed policies of the account ordered
// by name without regard to case.
func (t *tx) IAMPolicies(ctx context.Context, account string) ([]*secrets.IAMPolicy, error) {
	return iamListAs(ctx, t, kindPolicy, account, decodePolicy)
}

// PutIAMPolicy inserts p or replaces the policy with its ID.
func (t *tx) PutIAMPolicy(ctx context.Context, p *secrets.IAMPolicy) error {
	a, err := encodePolicy(p)
	if err != nil {
		return fmt.Errorf("put IAM policy %s: %w", p.ID, err)
	}
	return t.iamPut(ctx, kindPolicy, p.ID, p.Account, p.Name, a)
}

// DeleteIAMPolicy removes the policy with this ID; a missing one is not an
// error.
func (t *tx) DeleteIAMPolicy(ctx context.Context, id string) error {
	return t.iamDelete(ctx, kindPolicy, id)
}

// Access keys by principal.

// AccessKeysByPrincipal returns the access keys that act as principal,
// ordered by CreatedAt, then id.
func (t *tx) AccessKeysByPrincipal(ctx context.Context, principal string) ([]*secrets.AccessKey, error) {
	out, err := queryAll(ctx, t, t.q.accessKeysByPrincipal, scanAccessKey, principal)
	if err != nil {
		return nil, fmt.Errorf("list access keys of %s: %w", principal, err)
	}
	return out, nil
}

// DeleteAccessKey removes the access key with this id; a missing one is not
// an error.
func (t *tx) DeleteAccessKey(ctx context.Context, id string) error {
	return t.exec(ctx, t.q.deleteAccessKey, "delete access key "+id, id)
}
