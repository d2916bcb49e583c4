package sqlite

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"
	"unicode/utf8"

	"github.com/coffer-dev/coffer/internal/secrets"
)

// encodeTime returns t as Unix nanoseconds, 0 for the zero time. It refuses a
// time it cannot store exactly: one outside the int64 nanosecond range
// (1678..2262), where UnixNano is undefined, and the Unix epoch, which would
// read back as the zero time.
func encodeTime(t time.Time) (int64, error) {
	if t.IsZero() {
		return 0, nil
	}
	n := t.UnixNano()
	if n == 0 || !time.Unix(0, n).Equal(t) {
		return 0, fmt.Errorf("time %s cannot be stored", t.UTC().Format(time.RFC3339Nano))
	}
	return n, nil
}

// decodeTime is the inverse of encodeTime. Times come back in UTC.
func decodeTime(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// boundTime returns t as Unix nanoseconds for a comparison, clamped to the
// range a stored time can have.
func boundTime(t time.Time) int64 {
	switch {
	case t.Before(time.Unix(0, math.MinInt64)):
		return math.MinInt64
	case t.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// times encodes several times, stopping at the first that cannot be stored.
type times struct{ err error }

func (e *times) enc(name string, t time.Time) int64 {
	if e.err != nil {
		return 0
	}
	n, err := encodeTime(t)
	if err != nil {
		e.err = fmt.Errorf("%s: %w", name, err)
	}
	return n
}

// encodeTags returns tags as a JSON array of [key, value] pairs. JSON would
// replace invalid UTF-8, so that is refused instead of changed.
// encodeTags keeps nil (never tagged) apart from empty (every tag removed):
// DescribeSecret shows no Tags for the one and "Tags": [] for the other.
func encodeTags(tags []secrets.Tag) (string, error) {
	if tags == nil {
		return "null", nil
	}
	pairs := make([][2]string, len(tags))
	for i, t := range tags {
		if !utf8.ValidString(t.Key) || !utf8.ValidString(t.Value) {
			return "", errors.New("tag is not valid UTF-8")
		}
		pairs[i] = [2]string{t.Key, t.Value}
	}
	b, err := json.Marshal(pairs)
	return string(b), err
}

func decodeTags(s string) ([]secrets.Tag, error) {
	var pairs [][2]string
	if err := json.Unmarshal([]byte(s), &pairs); err != nil {
		return nil, fmt.Errorf("decode tags: %w", err)
	}
	if pairs == nil {
		return nil, nil
	}
	tags := make([]secrets.Tag, len(pairs))
	for i, p := range pairs {
		tags[i] = secrets.Tag{Key: p[0], Value: p[1]}
	}
	return tags, nil
}

// encodeStages returns stages as a JSON array, which json_each can search.
func encodeStages(stages []string) (string, error) {
	for _, s := range stages {
		if !utf8.ValidString(s) {
			return "", errors.New("staging label is not valid UTF-8")
		}
	}
	if stages == nil {
		return "[]", nil
	}
	b, err := json.Marshal(stages)
	return string(b), err
}

func decodeStages(s string) ([]string, error) {
	if s == "[]" {
		return nil, nil
	}
	var stages []string
	if err := json.Unmarshal([]byte(s), &stages); err != nil {
		return nil, fmt.Errorf("decode stages: %w", err)
	}
	if len(stages) == 0 {
		return nil, nil
	}
	return stages, nil
}

// encodeMaterial returns each key material version as its uvarint length and
// its bytes.
func encodeMaterial(m [][]byte) []byte {
	n := 0
	for _, b := range m {
		n += binary.MaxVarintLen64 + len(b)
	}
	out := make([]byte, 0, n)
	for _, b := range m {
		out = binary.AppendUvarint(out, uint64(len(b)))
		out = append(out, b...)
	}
	return out
}

func decodeMaterial(b []byte) ([][]byte, error) {
	var m [][]byte
	for len(b) > 0 {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)-k) {
			return nil, errors.New("decode key material: corrupt")
		}
		b = b[k:]
		m = append(m, append([]byte{}, b[:n]...))
		b = b[n:]
	}
	return m, nil
}

// blob returns b, or an empty non-nil slice for nil: the driver binds nil as
// NULL, and blob columns are NOT NULL.
func blob(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// keyAttrs is the JSON form of a KMS key's attributes beyond its columns.
// Times are Unix nanoseconds, 0 for the zero time, as in the columns.
type keyAttrs struct {
	KeyUsage           string        `json:"usage,omitempty"`
	KeySpec            string        `json:"spec,omitempty"`
	Origin             string        `json:"origin,omitempty"`
	Tags               [][2]string   `json:"tags,omitempty"`
	Policy             string        `json:"policy,omitempty"`
	RotationPeriodDays int           `json:"rotation_days,omitempty"`
	NextRotationAt     int64         `json:"next_rotation,omitempty"`
	DeletionAt         int64         `json:"deletion,omitempty"`
	Rotations          []keyRotation `json:"rotations,omitempty"`
}

type keyRotation struct {
	At       int64 `json:"at"`
	OnDemand bool  `json:"on_demand,omitempty"`
}

func encodeKeyAttrs(k *secrets.KMSKey) (string, error) {
	var e times
	a := keyAttrs{
		KeyUsage: k.KeyUsage, KeySpec: k.KeySpec, Origin: k.Origin, Policy: k.Policy,
		RotationPeriodDays: k.RotationPeriodDays,
		NextRotationAt:     e.enc("NextRotationAt", k.NextRotationAt),
		DeletionAt:         e.enc("DeletionAt", k.DeletionAt),
	}
	for _, t := range k.Tags {
		a.Tags = append(a.Tags, [2]string{t.Key, t.Value})
	}
	for _, r := range k.Rotations {
		a.Rotations = append(a.Rotations, keyRotation{At: e.enc("Rotations.At", r.At), OnDemand: r.OnDemand})
	}
	if e.err != nil {
		return "", e.err
	}
	b, err := json.Marshal(a)
	return string(b), err
}

func decodeKeyAttrs(s string, k *secrets.KMSKey) error {
	var a keyAttrs
	if err := json.Unmarshal([]byte(s), &a); err != nil {
		return fmt.Errorf("decode key attributes: %w", err)
	}
	k.KeyUsage, k.KeySpec, k.Origin, k.Policy = a.KeyUsage, a.KeySpec, a.Origin, a.Policy
	k.RotationPeriodDays = a.RotationPeriodDays
	k.NextRotationAt, k.DeletionAt = decodeTime(a.NextRotationAt), decodeTime(a.DeletionAt)
	k.Tags, k.Rotations = nil, nil
	for _, t := range a.Tags {
		k.Tags = append(k.Tags, secrets.Tag{Key: t[0], Value: t[1]})
	}
	for _, r := range a.Rotations {
		k.Rotations = append(k.Rotations, secrets.KeyRotation{At: decodeTime(r.At), OnDemand: r.OnDemand})
	}
	return nil
}
