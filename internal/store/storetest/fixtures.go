package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/coffer-dev/coffer/internal/secrets"
)

const (
	account1 = "111111111111"
	account2 = "222222222222"
	region1  = "us-east-1"
	region2  = "eu-west-1"
)

// t0 has every digit of nanosecond precision and a zone that is not UTC, so
// a store that drops either is caught.
var t0 = time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.FixedZone("IST", 5*3600+30*60))

// day is a day at midnight UTC, as LastAccessedAt is kept.
var day = time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC)

func secretARN(account, region, name string) string {
	return "arn:aws:secretsmanager:" + region + ":" + account + ":secret:" + name + "-AbCdEf"
}

// newSecret returns a secret with every field set, each to a distinct value.
func newSecret(account, region, name string) *secrets.Secret {
	return &secrets.Secret{
		ARN:         secretARN(account, region, name),
		Account:     account,
		Region:      region,
		Name:        name,
		Description: "the secret " + name + ": “quotes” \"too\", \\ and\na newline",
		KMSKeyID:    "alias/" + name + "-key",
		// Not sorted, with JSON-hostile and non-ASCII text and an empty value.
		Tags: []secrets.Tag{
			{Key: "zeta", Value: "last key, first tag"},
			{Key: "alpha", Value: "ü ✓ \"q\" \\ \n\t 🔑"},
			{Key: "Zeta", Value: "case differs"},
			{Key: "empty", Value: ""},
		},
		OwningService:  "rds",
		ResourcePolicy: resourcePolicy(account, name),
		CreatedAt:      t0,
		LastChangedAt:  t0.Add(1),
		LastAccessedAt: day,
		DeletedAt:      t0.Add(time.Hour + 7),
		PurgeAt:        t0.Add(7*24*time.Hour + 13),
		NextSeq:        3,
	}
}

// resourcePolicy is a resource policy document for a secret: JSON with
// newlines, non-ASCII text and escaped quotes, which a store keeps byte for
// byte.
func resourcePolicy(account, name string) string {
	return "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", " +
		`"Principal": {"AWS": "arn:aws:iam::` + account + `:role/` + name + `"}, ` +
		`"Action": "secretsmanager:GetSecretValue", "Resource": "*", ` +
		`"Condition": {"StringEquals": {"aws:PrincipalTag/team": "ü ✓ \"q\""}}}]\n}`
}

// newLiveSecret returns newSecret's secret, not scheduled for deletion.
func newLiveSecret(account, region, name string) *secrets.Secret {
	s := newSecret(account, region, name)
	s.DeletedAt, s.PurgeAt = time.Time{}, time.Time{}
	return s
}

// newVersion returns a version with every field set.
func newVersion(secretARN, id string, seq int64, stages ...string) *secrets.Version {
	return &secrets.Version{
		SecretARN:      secretARN,
		ID:             id,
		Seq:            seq,
		Stages:         stages,
		CreatedAt:      t0.Add(time.Duration(seq)*time.Minute + 1),
		LastAccessedAt: day.AddDate(0, 0, int(seq)),
		KMSKeyARN:      "arn:aws:kms:us-east-1:111111111111:key/0b4c5d6e-1111-2222-3333-444455556666",
		Binary:         seq%2 == 1,
		// Zero bytes inside, and bytes that are not UTF-8.
		Sealed: []byte{0x01, 0x00, 0xff, 0xfe, 0x00, byte(seq), 'x'},
	}
}

func newKMSKey(account, region, id string) *secrets.KMSKey {
	return &secrets.KMSKey{
		ARN:         "arn:aws:kms:" + region + ":" + account + ":key/" + id,
		ID:          id,
		Account:     account,
		Region:      region,
		Description: "key " + id,
		Manager:     "CUSTOMER",
		State:       "Enabled",
		CreatedAt:   t0.Add(2),
		Material:    [][]byte{{0x00, 0x01, 0xff}, {}, {0xde, 0xad, 0x00, 0xbe, 0xef}},
		KeyUsage:    "ENCRYPT_DECRYPT",
		KeySpec:     "SYMMETRIC_DEFAULT",
		Origin:      "AWS_KMS",
		Tags:        []secrets.Tag{{Key: "team", Value: "taskhub"}, {Key: "empty", Value: ""}},
		Policy:      `{"Version":"2012-10-17","Statement":[]}`,
		// Rotation on, a deletion scheduled, two rotations: every field set.
		RotationPeriodDays: 365,
		NextRotationAt:     t0.Add(365*24*time.Hour + 3),
		DeletionAt:         t0.Add(7*24*time.Hour + 5),
		Rotations:          []secrets.KeyRotation{{At: t0.Add(7), OnDemand: true}, {At: t0.Add(9)}},
	}
}

func newKMSAlias(account, region, name, targetKey string) *secrets.KMSAlias {
	return &secrets.KMSAlias{
		ARN:       "arn:aws:kms:" + region + ":" + account + ":" + name,
		Name:      name,
		Account:   account,
		Region:    region,
		TargetKey: targetKey,
		CreatedAt: t0.Add(3),
	}
}

func newAccount(id string) *secrets.Account {
	return &secrets.Account{ID: id, CreatedAt: t0.Add(4)}
}

func newAccessKey(account, id string) *secrets.AccessKey {
	return &secrets.AccessKey{
		ID:           id,
		Account:      account,
		Principal:    "arn:aws:iam::" + account + ":root",
		Status:       "Active",
		SealedSecret: []byte{0x00, 0x10, 0xff, 0x00, byte(len(id))},
		CreatedAt:    t0.Add(5),
	}
}

// Comparison. Records are compared after normalizing what the suite allows a
// store to change: a time's location and monotonic reading, and nil versus
// empty slices.

func normTime(t time.Time) time.Time { return t.UTC().Round(0) }

func normBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

func normSecret(s *secrets.Secret) *secrets.Secret {
	if s == nil {
		return nil
	}
	c := *s
	if len(c.Tags) == 0 {
		c.Tags = nil
	}
	c.CreatedAt = normTime(c.CreatedAt)
	c.LastChangedAt = normTime(c.LastChangedAt)
	c.LastAccessedAt = normTime(c.LastAccessedAt)
	c.DeletedAt = normTime(c.DeletedAt)
	c.PurgeAt = normTime(c.PurgeAt)
	return &c
}

func normVersion(v *secrets.Version) *secrets.Version {
	if v == nil {
		return nil
	}
	c := *v
	if len(c.Stages) == 0 {
		c.Stages = nil
	}
	c.CreatedAt = normTime(c.CreatedAt)
	c.LastAccessedAt = normTime(c.LastAccessedAt)
	c.PrunedAt = normTime(c.PrunedAt)
	c.Sealed = normBytes(c.Sealed)
	return &c
}

func normKMSKey(k *secrets.KMSKey) *secrets.KMSKey {
	if k == nil {
		return nil
	}
	c := *k
	c.CreatedAt = normTime(c.CreatedAt)
	c.NextRotationAt = normTime(c.NextRotationAt)
	c.DeletionAt = normTime(c.DeletionAt)
	c.Material = nil
	for _, m := range k.Material {
		c.Material = append(c.Material, normBytes(m))
	}
	if len(c.Tags) == 0 {
		c.Tags = nil
	}
	c.Rotations = nil
	for _, r := range k.Rotations {
		c.Rotations = append(c.Rotations, secrets.KeyRotation{At: normTime(r.At), OnDemand: r.OnDemand})
	}
	return &c
}

func normKMSAlias(a *secrets.KMSAlias) *secrets.KMSAlias {
	if a == nil {
		return nil
	}
	c := *a
	c.CreatedAt = normTime(c.CreatedAt)
	return &c
}

func normAccount(a *secrets.Account) *secrets.Account {
	if a == nil {
		return nil
	}
	c := *a
	c.CreatedAt = normTime(c.CreatedAt)
	return &c
}

func normAccessKey(k *secrets.AccessKey) *secrets.AccessKey {
	if k == nil {
		return nil
	}
	c := *k
	c.CreatedAt = normTime(c.CreatedAt)
	c.SealedSecret = normBytes(c.SealedSecret)
	return &c
}

// check fails tb unless got and want are equal after norm.
func check[T any](tb testing.TB, what string, got, want *T, norm func(*T) *T) {
	tb.Helper()
	g, w := norm(got), norm(want)
	if !reflect.DeepEqual(g, w) {
		tb.Errorf("%s:\n got %s\nwant %s", what, show(g), show(w))
	}
}

// checkAll fails tb unless got and want are equal, in order, after norm.
func checkAll[T any](tb testing.TB, what string, got, want []*T, norm func(*T) *T) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Errorf("%s: got %d records, want %d", what, len(got), len(want))
		for i, g := range got {
			tb.Logf("got[%d] = %s", i, show(norm(g)))
		}
		return
	}
	for i := range got {
		check(tb, fmt.Sprintf("%s[%d]", what, i), got[i], want[i], norm)
	}
}

func show[T any](p *T) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprintf("%+v", *p)
}

func checkSecret(tb testing.TB, got, want *secrets.Secret) {
	tb.Helper()
	check(tb, "secret", got, want, normSecret)
}

func checkVersion(tb testing.TB, got, want *secrets.Version) {
	tb.Helper()
	check(tb, "version", got, want, normVersion)
}

// checkNotFound fails tb unless err wraps secrets.ErrNotFound.
func checkNotFound(tb testing.TB, what string, err error) {
	tb.Helper()
	if !errors.Is(err, secrets.ErrNotFound) {
		tb.Errorf("%s: err = %v, want one wrapping secrets.ErrNotFound", what, err)
	}
}

// inBoth runs fn in a View and then in an Update that it rolls back, so that
// reads are checked in both kinds of transaction.
func inBoth(tb testing.TB, s secrets.Store, fn func(tx secrets.Tx)) {
	tb.Helper()
	MustView(tb, s, func(tx secrets.Tx) error { fn(tx); return nil })
	errRollback := errors.New("roll back")
	err := s.Update(context.Background(), func(tx secrets.Tx) error { fn(tx); return errRollback })
	if !errors.Is(err, errRollback) {
		tb.Fatalf("Update: err = %v, want %v", err, errRollback)
	}
}

// arns returns the ARNs of secs.
func arns(secs []*secrets.Secret) []string {
	out := make([]string, len(secs))
	for i, s := range secs {
		out[i] = s.ARN
	}
	return out
}

func checkKMSKey(tb testing.TB, got, want *secrets.KMSKey) {
	tb.Helper()
	check(tb, "KMS key", got, want, normKMSKey)
}

func checkKMSAlias(tb testing.TB, got, want *secrets.KMSAlias) {
	tb.Helper()
	check(tb, "KMS alias", got, want, normKMSAlias)
}
