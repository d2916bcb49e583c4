package secrets

import (
	"crypto/rand"
	"io"
	"strings"
)

// Names and ARNs.
//
// A secret's ARN is arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 random
// characters>. A SecretId is a name, a full ARN, or a partial ARN (an ARN
// without the suffix). A partial ARN whose name itself ends in '-' and six
// characters is taken for a full ARN and so finds nothing, as on AWS.

const suffixAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

// SecretARN returns the ARN of a secret with the given name and suffix.
func SecretARN(region, account, name, suffix string) string {
	return "arn:aws:secretsmanager:" + region + ":" + account + ":secret:" + name + "-" + suffix
}

// parsedID is a SecretId taken apart.
type parsedID struct {
	name    string // the name, for a name or a partial ARN
	fullARN string // the ARN, when the id is a full ARN
	region  string // from an ARN
	account string // from an ARN
}

// parseSecretID takes apart a SecretId. ok is false for an ARN that is not
// a Secrets Manager secret ARN.
func parseSecretID(id string) (p parsedID, ok bool) {
	if !strings.HasPrefix(id, "arn:") {
		return parsedID{name: id}, true
	}
	parts := strings.SplitN(id, ":", 7)
	// Coffer is one partition, aws: an ARN of another names nothing here.
	if len(parts) != 7 || parts[1] != "aws" || parts[2] != "secretsmanager" || parts[5] != "secret" || parts[6] == "" {
		return parsedID{}, false
	}
	p = parsedID{region: parts[3], account: parts[4]}
	rest := parts[6]
	if len(rest) > 7 && rest[len(rest)-7] == '-' {
		p.fullARN = id
		return p, true
	}
	p.name = rest
	return p, true
}

// validName reports whether name uses only the characters AWS allows in a
// secret name: ASCII letters, digits and /_+=.@-.
func validName(name string) bool {
	if name == "" || len(name) > 512 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("/_+=.@-", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// KeyIDAlphabet is the alphabet of access key ids and IAM unique ids
// after their four-letter prefix (AKIA…, ASIA…, AIDA…): base32's.
const KeyIDAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// NewAccessKey returns a new access key id (prefix, "AKIA" or "ASIA", and
// 16 characters) and a 40-character secret access key, reading random
// (crypto/rand when nil).
func NewAccessKey(random io.Reader, prefix string) (id, secret string, err error) {
	if id, err = RandomString(random, KeyIDAlphabet, 16); err != nil {
		return "", "", err
	}
	secret, err = RandomString(random, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40)
	if err != nil {
		return "", "", err
	}
	return prefix + id, secret, nil
}

// RandomString returns n characters drawn uniformly (no modulo bias) from
// alphabet, reading random (crypto/rand when nil).
func RandomString(random io.Reader, alphabet string, n int) (string, error) {
	if random == nil {
		random = rand.Reader
	}
	out := make([]byte, 0, n)
	buf := make([]byte, 2*n)
	limit := 256 - 256%len(alphabet)
	for len(out) < n {
		if _, err := io.ReadFull(random, buf); err != nil {
			return "", err
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out), nil
}

// NewUUID returns a random (version 4) UUID in its canonical text form,
// reading random (crypto/rand when nil).
func NewUUID(random io.Reader) (string, error) {
	if random == nil {
		random = rand.Reader
	}
	var u [16]byte
	if _, err := io.ReadFull(random, u[:]); err != nil {
		return "", err
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	const hex = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, b := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hex[b>>4], hex[b&0xf])
	}
	return string(out), nil
}
