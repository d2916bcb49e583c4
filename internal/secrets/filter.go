package secrets

import (
	"strings"
	"unicode"
)

// The ListSecrets and BatchGetSecretValue filters.
//
// Sources, cited by short name below:
//   - [API]: the Filter shape of the API reference (botocore
//     secretsmanager/2017-10-17 service-2.json: Filter, FilterNameStringType,
//     FilterValueStringType; docs.aws.amazon.com/secretsmanager/latest/
//     apireference/API_Filter.html).
//   - [Guide]: the user guide page "Find secrets in AWS Secrets Manager"
//     (docs.aws.amazon.com/secretsmanager/latest/userguide/
//     manage_search-secret.html), the current version with its "Search
//     filters" section.
//   - [LocalStack]: tests/aws/services/secretsmanager/test_secretsmanager.py
//     test_list_secrets_filtering, marked aws.validated (run against AWS).
//   - [moto]: tests/test_secretsmanager/test_list_secrets.py, the tests marked
//     aws_verified (test_with_all_filter, test_with_all_filter_special_characters,
//     test_with_duplicate_filter_keys, test_with_filter_with_value_with_multiple_words);
//     getmoto/moto PRs #8469 and #8529 ("All new tests are verified against AWS").
//
// Where the sources disagree, what was measured against AWS wins over what a
// page says, and each such choice is noted where it is made.

// The filter keys (FilterNameStringType).
const (
	FilterDescription   = "description"
	FilterName          = "name"
	FilterTagKey        = "tag-key"
	FilterTagValue      = "tag-value"
	FilterPrimaryRegion = "primary-region"
	FilterOwningService = "owning-service"
	FilterAll           = "all"
)

// Filter is one ListSecrets or BatchGetSecretValue filter: a key and the
// values to look for. A value that starts with "!" is negated.
//
// The API layer validates filters against the model before they get here:
// at most 10 filters, 1 to 10 values each, each value at most 512
// characters matching ^\!?[a-zA-Z0-9 :_@\/\+\=\.\-\!]*$ [API].
type Filter struct {
	Key    string
	Values []string
}

// MatchFilters reports whether s matches every filter in filters; no filters
// match every secret.
//
// The rules, and where each comes from:
//
//  1. Several filters are ANDed, including two with the same key: description
//     "one" and description "two" match only "one two" [moto
//     test_with_duplicate_filter_keys; LocalStack: description "a" with name
//     "an" matches nothing].
//  2. Several values in one filter are ORed: a secret matches the filter when
//     it matches any value [moto test_with_filter_with_multiple_values, and
//     every emulator; AWS does not say]. A filter with no values matches
//     nothing (the model requires at least one).
//  3. A value starting with "!" matches exactly the secrets its rest does not
//     match [API: "prefix your search value with an exclamation mark (!) in
//     order to perform negation filters"; LocalStack: name "!/" returns the
//     complement of name "/", description "!a" the complement of "a"]. Only
//     the first "!" negates. A negated value is one more ORed value, so
//     description ["one", "!two"] matches "one two" (through "one") and
//     "unrelated" (through "!two") but not "two" [moto
//     test_with_filter_with_negation, not verified against AWS].
//     Over a list attribute (tags) a negated value means that no element
//     matches, and a secret without the attribute (no tags, no description)
//     matches every negated value. moto instead requires some element that
//     does not match, and never matches a secret without the attribute;
//     AWS's behaviour here is not documented or measured.
//  4. name: the value is a prefix of the name, case-sensitive [API; Guide:
//     "Name: Data returns a secret named DatabaseSecret, but not
//     databaseSecret or MyData"]. The value is not split into words:
//     "testing1 one" does not match "testing1/one-12345" [LocalStack]. (The
//     AWS CLI's list-secrets example shows Values="Test" returning
//     "MyTestSecret"; measured behaviour says otherwise.)
//  5. description: every word of the value is a prefix of some word of the
//     description, not case-sensitive, in any order [Guide: "My Description"
//     matches "Description of my secret"; moto: "o t" matches "one two";
//     LocalStack: "a secret" matches "an secret" but not "asecret"]. The API
//     reference calls it a prefix match; measurement says words.
//  6. tag-key, tag-value: the value is a prefix of some tag's key (value),
//     case-sensitive [API; Guide: "Prod" matches Production and Prod1, not
//     prod or "1 Prod"].
//  7. primary-region: the value is a prefix of the secret's primary region,
//     case-sensitive [API]. Coffer does not replicate, so a secret's region
//     is its primary region (DescribeSecret's PrimaryRegion is "The Region
//     the secret is in").
//  8. owning-service: the value is a prefix of the owning service, not
//     case-sensitive [Guide: "Matches the beginning of the managing service ID
//     prefix, not case-sensitive. For example, my-ser matches ... my-service"].
//     The API reference says case-sensitive; the guide is the more specific
//     page and agrees with moto's (case-insensitive) implementation. A secret
//     without an owning service matches no (positive) value.
//  9. all: every word of the value is a prefix of some word of one
//     attribute, the name, the description, a tag key or a tag value, not
//     case-sensitive [API: "Breaks the filter value string into words and then
//     searches all attributes for matches. Not case-sensitive."; Guide: the
//     search matches "the secret name, description, tag key, and tag
//     value"]. All the words must match within the same attribute: moto's
//     verified test finds "d t" only in the description "DescTwo", and
//     "SomeSecret" nowhere although other names contain the word Secret.
//     (The guide says "My_Secret matches secrets with the word my or
//     secret"; measurement says and.) "ret" does not match "Secret" and
//     "secret" does not match "Thirdsecret": words match by prefix only.
//  10. Words are split as the guide describes for searches: only letters and
//     digits count, everything else ("/", "_", "+", "=", ".", "@", "-",
//     space, "#", ...) separates words; a new word also starts at a change
//     from lowercase to uppercase, from letter to digit or digit to letter,
//     and at the last capital of a run of capitals followed by a lowercase
//     letter [Guide: credsDatabase#892 is creds, Database, 892; moto
//     verified: "AppBeta" and "Beta" match prod/AppBeta/x under every
//     separator, "company" matches uat/COMPANY/x, COMPANYthings splits as
//     COMPAN and Ythings, so "Ythings" matches and "things", "N" and "pany"
//     do not; a value of only separators ("+") matches nothing].
//
// An unknown key matches nothing, negated or not.
func MatchFilters(s *Secret, filters []Filter) bool {
	for _, f := range filters {
		if !f.matches(s) {
			return false
		}
	}
	return true
}

// matches applies rules 2 and 3 to one filter.
func (f Filter) matches(s *Secret) bool {
	match, ok := filterMatchers[f.Key]
	if !ok {
		return false
	}
	for _, v := range f.Values {
		negate := strings.HasPrefix(v, "!")
		if negate {
			v = v[1:]
		}
		if match(s, v) != negate {
			return true
		}
	}
	return false
}

// filterMatchers holds, per key, whether a secret matches one value (with any
// "!" removed).
var filterMatchers = map[string]func(s *Secret, v string) bool{
	FilterName: func(s *Secret, v string) bool {
		return strings.HasPrefix(s.Name, v)
	},
	FilterDescription: func(s *Secret, v string) bool {
		return matchWords(splitWords(v), s.Description)
	},
	FilterTagKey: func(s *Secret, v string) bool {
		for _, t := range s.Tags {
			if strings.HasPrefix(t.Key, v) {
				return true
			}
		}
		return false
	},
	FilterTagValue: func(s *Secret, v string) bool {
		for _, t := range s.Tags {
			if strings.HasPrefix(t.Value, v) {
				return true
			}
		}
		return false
	},
	FilterPrimaryRegion: func(s *Secret, v string) bool {
		return s.Region != "" && strings.HasPrefix(s.Region, v)
	},
	FilterOwningService: func(s *Secret, v string) bool {
		return s.OwningService != "" && strings.HasPrefix(strings.ToLower(s.OwningService), strings.ToLower(v))
	},
	FilterAll: func(s *Secret, v string) bool {
		words := splitWords(v)
		if matchWords(words, s.Name) || matchWords(words, s.Description) {
			return true
		}
		for _, t := range s.Tags {
			if matchWords(words, t.Key) || matchWords(words, t.Value) {
				return true
			}
		}
		return false
	},
}

// matchWords reports whether every word in words is a prefix of some word of
// text, ignoring case (rules 5 and 9). No words match nothing.
func matchWords(words []string, text string) bool {
	if len(words) == 0 {
		return false
	}
	have := splitWords(text)
	for _, w := range words {
		w = strings.ToLower(w)
		found := false
		for _, h := range have {
			if strings.HasPrefix(strings.ToLower(h), w) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// splitWords breaks s into words as rule 10 describes.
func splitWords(s string) []string {
	rs := []rune(s)
	var words []string
	start := -1
	for i, r := range rs {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			if start >= 0 {
				words = append(words, string(rs[start:i]))
				start = -1
			}
			continue
		}
		if start >= 0 && wordBreak(rs, i) {
			words = append(words, string(rs[start:i]))
			start = -1
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		words = append(words, string(rs[start:]))
	}
	return words
}

// wordBreak reports whether a new word starts at rs[i], given that rs[i-1]
// and rs[i] are both letters or digits.
func wordBreak(rs []rune, i int) bool {
	prev, cur := rs[i-1], rs[i]
	switch {
	case unicode.IsDigit(prev) != unicode.IsDigit(cur):
		// letter to digit or digit to letter: "abc123" is abc, 123
		return true
	case unicode.IsLower(prev) && unicode.IsUpper(cur):
		// "credsDatabase" is creds, Database
		return true
	case unicode.IsUpper(prev) && unicode.IsUpper(cur) && i+1 < len(rs) && unicode.IsLower(rs[i+1]):
		// "COMPANYthings" is COMPAN, Ythings; "MyDBSecret" is My, DB, Secret
		return true
	}
	return false
}
