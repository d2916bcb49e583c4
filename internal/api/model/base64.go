package model

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// decodedLen returns how many bytes the base64 text s decodes to, or the
// reason AWS gives for refusing it. The reasons are those kinesalite records
// from Kinesis, including AWS's spelling of "dectected":
//
//	'23456' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 5
//	'=+/=' can not be converted to a Blob: Invalid Base64 character: '='
//	'+/+=' can not be converted to a Blob: Invalid last non-pad Base64 character dectected
//
// The alphabet is the standard one with padding; there is no URL-safe form and
// no whitespace.
func decodedLen(s string) (int, error) {
	if n := utf16Len(s); n%4 != 0 {
		return 0, errors.New("Base64 encoded length is expected a multiple of 4 bytes but found: " + strconv.Itoa(n))
	}
	pad := 0
	switch {
	case strings.HasSuffix(s, "=="):
		pad = 2
	case strings.HasSuffix(s, "="):
		pad = 1
	}
	body := s[:len(s)-pad]
	for i := 0; i < len(body); i++ {
		if base64Values[body[i]] >= 0 {
			continue
		}
		// Not in the alphabet: name the character, decoded as UTF-8.
		r, _ := utf8.DecodeRuneInString(body[i:])
		return 0, errors.New("Invalid Base64 character: '" + string(r) + "'")
	}
	if pad > 0 {
		// The bits of the last character that fall past the last byte must be
		// zero, or two texts would decode to the same bytes.
		last := base64Value(body[len(body)-1])
		if pad == 1 && last&0x3 != 0 || pad == 2 && last&0xF != 0 {
			return 0, errors.New("Invalid last non-pad Base64 character dectected")
		}
	}
	return len(s)/4*3 - pad, nil
}

func base64Value(c byte) int { return int(base64Values[c]) }

// base64Values maps a byte to its value in the standard base64 alphabet, or
// -1. A table: blobs of 64 KiB are checked on every request that holds one.
var base64Values = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = int8(i)
	}
	return t
}()
