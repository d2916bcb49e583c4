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
	for i := 0; i < len(body); {
		r, size := utf8.DecodeRuneInString(body[i:])
		if r >= utf8.RuneSelf || base64Value(byte(r)) < 0 {
			return 0, errors.New("Invalid Base64 character: '" + string(r) + "'")
		}
		i += size
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

func base64Value(c byte) int {
	switch {
	case 'A' <= c && c <= 'Z':
		return int(c - 'A')
	case 'a' <= c && c <= 'z':
		return int(c-'a') + 26
	case '0' <= c && c <= '9':
		return int(c-'0') + 52
	case c == '+':
		return 62
	case c == '/':
		return 63
	}
	return -1
}
