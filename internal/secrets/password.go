package secrets

import (
	"crypto/rand"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// GetRandomPassword, as the Secrets Manager API reference defines it
// (botocore secretsmanager/2017-10-17 service-2.json, GetRandomPasswordRequest;
// docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetRandomPassword.html).

const (
	// DefaultPasswordLength is the length AWS uses when PasswordLength is
	// absent: "If you don't include this parameter, the default length is 32
	// characters."
	DefaultPasswordLength = 32
	// MaxPasswordLength is PasswordLengthType's maximum (its minimum is 1).
	MaxPasswordLength = 4096
	// maxExcludeCharacters is ExcludeCharactersType's maximum length.
	maxExcludeCharacters = 4096
)

// The four character types. passwordPunctuation is the set the API reference
// lists under ExcludePunctuation, ! " # $ % & ' ( ) * + , - . / : ; < = > ? @
// [ \ ] ^ _ ` { | } ~ : all 32 printable ASCII punctuation characters.
const (
	passwordUppercase   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	passwordLowercase   = "abcdefghijklmnopqrstuvwxyz"
	passwordNumbers     = "0123456789"
	passwordPunctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
)

// AWS's GetRandomPassword refusals, all InvalidParameterException. AWS does
// not document them; the texts are the ones its users quote:
//   - msgPwdTooShort: moto (secretsmanager/models.py get_random_password)
//     and the measurements in go-to-k/cdkd PR #3086 (CloudFormation,
//     us-east-1, 2026-09-14).
//   - msgPwdTypeExcluded: cdkd PR #3086, and AWS CDK users quoting the
//     failure when ExcludeCharacters empties the punctuation type
//     (e.g. "All characters of the desired type have been excluded" in
//     several aws-samples CDK stacks).
//   - msgPwdAllExcluded: cdkd PR #3086 (measured).
//
// The trailing full stops follow cdkd's preflight rules; CDK users' quotes
// of msgPwdTypeExcluded drop it, so that one byte is unconfirmed.
const (
	msgPwdTooShort     = "Password length is too short based on the required types."
	msgPwdTypeExcluded = "All characters of the desired type have been excluded."
	msgPwdAllExcluded  = "All characters have been excluded from selection."
)

// opGetRandomPassword is the Op of RandomPassword's errors.
const opGetRandomPassword = "secrets.GetRandomPassword"

// PasswordSpec is a GetRandomPassword request. Its zero value is not AWS's
// default request, because RequireEachIncludedType defaults to true on the
// wire: start from DefaultPasswordSpec and apply the fields the caller sent.
type PasswordSpec struct {
	// Length is the password's length in characters, 1 to MaxPasswordLength;
	// 0 means DefaultPasswordLength.
	Length int
	// ExcludeCharacters lists characters that must not appear. Characters
	// outside the four types and the space are ignored.
	ExcludeCharacters string

	ExcludeNumbers     bool
	ExcludePunctuation bool
	ExcludeUppercase   bool
	ExcludeLowercase   bool
	// IncludeSpace admits the space character. AWS's default is false.
	IncludeSpace bool
	// RequireEachIncludedType requires at least one character of each type
	// (uppercase, lowercase, number, punctuation) that is not excluded.
	// AWS's default is true.
	RequireEachIncludedType bool
}

// DefaultPasswordSpec returns the spec of a GetRandomPassword request that
// sets no parameter: 32 characters from all four types, no space, and at
// least one character of each type.
func DefaultPasswordSpec() PasswordSpec {
	return PasswordSpec{Length: DefaultPasswordLength, RequireEachIncludedType: true}
}

// RandomPassword returns a password built to spec, reading randomness from
// random (crypto/rand when nil). Every character is drawn uniformly, without
// modulo bias, from the characters spec allows. When
// spec.RequireEachIncludedType is set, a password that lacks one of the
// required types is thrown away and drawn again, so the result is uniform
// over the passwords that satisfy spec.
//
// Which types are required (a design decision, from these sources):
//   - Only the four types count. The API reference describes
//     RequireEachIncludedType as "at least one upper and lowercase letter,
//     one number, and one punctuation", and cdkd PR #3086 reports the space
//     as "never required, only admitted". moto does require a space when
//     IncludeSpace is set, and boto3's example text reads "require spaces";
//     we follow the parameter's own definition.
//   - A type is required when its Exclude switch is off. If ExcludeCharacters
//     removes every character of a required type, AWS refuses rather than
//     dropping the type (cdkd PR #3086, measured: "With it OFF the same
//     template CREATES, so the refusal is scoped to REQUIRED classes").
//
// Refusals, each an *Error of kind InvalidParameter:
//   - msgPwdTypeExcluded when RequireEachIncludedType is set and
//     ExcludeCharacters empties a type whose switch is off;
//   - msgPwdAllExcluded when no character is left at all (every type
//     switched off and no space, or everything listed in ExcludeCharacters);
//   - msgPwdTooShort when RequireEachIncludedType is set and Length is less
//     than the number of required types.
//
// When Length or ExcludeCharacters is outside the model's range
// (PasswordLengthType 1..4096, ExcludeCharactersType at most 4096) the error
// is of kind Validation, because AWS rejects those before the operation runs,
// as ValidationException, in Smithy's wording (moto mirrors it: "1 validation
// error detected: Value '5000' at 'passwordLength' failed to satisfy
// constraint: Member must have value less than or equal to 4096").
//
// A failure to read random returns an *Error of kind Internal.
func RandomPassword(random io.Reader, spec PasswordSpec) (string, error) {
	length := spec.Length
	switch {
	case length == 0:
		length = DefaultPasswordLength
	case length < 1:
		return "", Errorf(Validation, opGetRandomPassword,
			"1 validation error detected: Value '%d' at 'passwordLength' failed to satisfy constraint: Member must have value greater than or equal to 1", length)
	case length > MaxPasswordLength:
		return "", Errorf(Validation, opGetRandomPassword,
			"1 validation error detected: Value '%d' at 'passwordLength' failed to satisfy constraint: Member must have value less than or equal to %d", length, MaxPasswordLength)
	}
	// Smithy measures a string's length in code points. The value is not
	// echoed: it can be long, and it says something about the password.
	if utf8.RuneCountInString(spec.ExcludeCharacters) > maxExcludeCharacters {
		return "", Errorf(Validation, opGetRandomPassword,
			"1 validation error detected: Value at 'excludeCharacters' failed to satisfy constraint: Member must have length less than or equal to %d", maxExcludeCharacters)
	}

	types := [...]struct {
		chars string
		off   bool
	}{
		{passwordUppercase, spec.ExcludeUppercase},
		{passwordLowercase, spec.ExcludeLowercase},
		{passwordNumbers, spec.ExcludeNumbers},
		{passwordPunctuation, spec.ExcludePunctuation},
	}
	keep := func(c rune) bool { return !strings.ContainsRune(spec.ExcludeCharacters, c) }

	var pool []byte
	// typeOf maps a character to the bit of the required type it belongs
	// to; required has one bit per required type.
	var typeOf [256]uint8
	var required uint8
	for i, t := range types {
		if t.off {
			continue
		}
		n := 0
		for _, c := range t.chars {
			if keep(c) {
				pool = append(pool, byte(c))
				typeOf[c] = 1 << i
				n++
			}
		}
		if n == 0 {
			if spec.RequireEachIncludedType {
				return "", Errorf(InvalidParameter, opGetRandomPassword, msgPwdTypeExcluded)
			}
			continue
		}
		if spec.RequireEachIncludedType {
			required |= 1 << i
		}
	}
	if spec.IncludeSpace && keep(' ') {
		pool = append(pool, ' ')
	}
	if len(pool) == 0 {
		return "", Errorf(InvalidParameter, opGetRandomPassword, msgPwdAllExcluded)
	}
	if nreq := popcount(required); length < nreq {
		return "", Errorf(InvalidParameter, opGetRandomPassword, msgPwdTooShort)
	}

	src := newByteSource(random)
	out := make([]byte, length)
	// With the smallest pool that can still pass the checks above (one
	// character in each of three required types and 32 in the fourth, plus a
	// space, at the minimum length) a draw is accepted with probability
	// about 4.5e-4, so maxPasswordDraws is never reached with a working
	// random source; the bound only stops a broken one from spinning.
	const maxPasswordDraws = 1 << 20
	for range maxPasswordDraws {
		var seen uint8
		for i := range out {
			c, err := src.pick(pool)
			if err != nil {
				return "", &Error{Kind: Internal, Op: opGetRandomPassword, Err: fmt.Errorf("read random: %w", err)}
			}
			out[i] = c
			seen |= typeOf[c]
		}
		if seen&required == required {
			return string(out), nil
		}
	}
	return "", &Error{Kind: Internal, Op: opGetRandomPassword,
		Err: fmt.Errorf("no password with every required type in %d draws", maxPasswordDraws)}
}

func popcount(b uint8) int {
	n := 0
	for ; b != 0; b &= b - 1 {
		n++
	}
	return n
}

// byteSource hands out random bytes from a reader, buffered so that a long
// password costs a few reads rather than one per character.
type byteSource struct {
	r   io.Reader
	buf [256]byte
	off int
}

func newByteSource(r io.Reader) *byteSource {
	if r == nil {
		r = rand.Reader
	}
	s := &byteSource{r: r}
	s.off = len(s.buf)
	return s
}

// pick returns a uniformly chosen element of set (1 to 256 elements): bytes
// at or above the largest multiple of len(set) are discarded, so the
// remainder carries no modulo bias.
func (s *byteSource) pick(set []byte) (byte, error) {
	limit := 256 - 256%len(set)
	for {
		if s.off == len(s.buf) {
			if _, err := io.ReadFull(s.r, s.buf[:]); err != nil {
				return 0, err
			}
			s.off = 0
		}
		b := int(s.buf[s.off])
		s.off++
		if b < limit {
			return set[b%len(set)], nil
		}
	}
}
