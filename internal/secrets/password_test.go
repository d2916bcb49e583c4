package secrets_test

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/coffer-dev/coffer/internal/secrets"
)

const (
	upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	lower = "abcdefghijklmnopqrstuvwxyz"
	digit = "0123456789"
	// punct is the set the API reference lists under ExcludePunctuation.
	punct = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
)

// seeded returns a deterministic random source for a test.
func seeded(t *testing.T) *rand.ChaCha8 {
	var seed [32]byte
	copy(seed[:], t.Name())
	return rand.NewChaCha8(seed)
}

// allowed returns the characters spec admits, as a set.
func allowed(spec secrets.PasswordSpec) map[rune]bool {
	set := map[rune]bool{}
	add := func(chars string, off bool) {
		if off {
			return
		}
		for _, c := range chars {
			if !strings.ContainsRune(spec.ExcludeCharacters, c) {
				set[c] = true
			}
		}
	}
	add(upper, spec.ExcludeUppercase)
	add(lower, spec.ExcludeLowercase)
	add(digit, spec.ExcludeNumbers)
	add(punct, spec.ExcludePunctuation)
	add(" ", !spec.IncludeSpace)
	return set
}

func TestDefaultPasswordSpec(t *testing.T) {
	t.Parallel()
	// API reference: default length 32; RequireEachIncludedType on unless
	// the caller turns it off; no space unless IncludeSpace.
	got := secrets.DefaultPasswordSpec()
	want := secrets.PasswordSpec{Length: 32, RequireEachIncludedType: true}
	if got != want {
		t.Fatalf("DefaultPasswordSpec() = %+v, want %+v", got, want)
	}
}

func TestRandomPassword_Classes(t *testing.T) {
	t.Parallel()
	def := secrets.DefaultPasswordSpec()
	with := func(f func(*secrets.PasswordSpec)) secrets.PasswordSpec {
		s := def
		f(&s)
		return s
	}
	tests := []struct {
		name    string
		spec    secrets.PasswordSpec
		wantLen int
	}{
		{"Default", def, 32},
		{"ZeroLengthMeansDefault", with(func(s *secrets.PasswordSpec) { s.Length = 0 }), 32},
		{"ZeroValueSpec", secrets.PasswordSpec{}, 32},
		{"Length1NoRequire", secrets.PasswordSpec{Length: 1}, 1},
		{"Length4RequireAll", with(func(s *secrets.PasswordSpec) { s.Length = 4 }), 4},
		{"MaxLength", with(func(s *secrets.PasswordSpec) { s.Length = secrets.MaxPasswordLength }), 4096},
		{"ExcludeNumbers", with(func(s *secrets.PasswordSpec) { s.ExcludeNumbers = true }), 32},
		{"ExcludePunctuation", with(func(s *secrets.PasswordSpec) { s.ExcludePunctuation = true }), 32},
		{"ExcludeUppercase", with(func(s *secrets.PasswordSpec) { s.ExcludeUppercase = true }), 32},
		{"ExcludeLowercase", with(func(s *secrets.PasswordSpec) { s.ExcludeLowercase = true }), 32},
		{"OnlyNumbers", with(func(s *secrets.PasswordSpec) {
			s.ExcludeUppercase, s.ExcludeLowercase, s.ExcludePunctuation = true, true, true
		}), 32},
		{"IncludeSpace", with(func(s *secrets.PasswordSpec) { s.IncludeSpace = true }), 32},
		{"OnlySpace", with(func(s *secrets.PasswordSpec) {
			s.ExcludeUppercase, s.ExcludeLowercase, s.ExcludeNumbers, s.ExcludePunctuation = true, true, true, true
			s.IncludeSpace = true
		}), 32},
		// The LocalStack test validated against AWS:
		// test_get_random_exclude_characters_and_symbols.
		{"ExcludeCharacters", with(func(s *secrets.PasswordSpec) { s.Length, s.ExcludeCharacters = 120, "xyzDje@?!." }), 120},
		{"ExcludeCharactersTakesSpace", with(func(s *secrets.PasswordSpec) { s.IncludeSpace, s.ExcludeCharacters = true, " " }), 32},
		{"ExcludeCharactersIgnoresOthers", with(func(s *secrets.PasswordSpec) { s.ExcludeCharacters = "é€\n\t" }), 32},
		// Without RequireEachIncludedType an emptied type is simply absent.
		{"EmptiedTypeNotRequired", secrets.PasswordSpec{ExcludeCharacters: digit}, 32},
		{"LeftOneOfEachType", with(func(s *secrets.PasswordSpec) {
			s.Length = 4
			s.ExcludeCharacters = upper[1:] + lower[1:] + digit[1:] + punct[1:]
		}), 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ok := allowed(tt.spec)
			for range 50 {
				pw, err := secrets.RandomPassword(seeded(t), tt.spec)
				if err != nil {
					t.Fatalf("RandomPassword: %v", err)
				}
				if n := len([]rune(pw)); n != tt.wantLen {
					t.Fatalf("len = %d, want %d", n, tt.wantLen)
				}
				for _, c := range pw {
					if !ok[c] {
						t.Fatalf("password %q has %q, which the spec excludes", pw, c)
					}
				}
			}
		})
	}
}

func TestRandomPassword_NilReaderUsesCryptoRand(t *testing.T) {
	t.Parallel()
	a, err := secrets.RandomPassword(nil, secrets.DefaultPasswordSpec())
	if err != nil {
		t.Fatal(err)
	}
	b, err := secrets.RandomPassword(nil, secrets.DefaultPasswordSpec())
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 32 || a == b {
		t.Fatalf("two passwords %q and %q: want 32 characters each, different", a, b)
	}
}

func TestRandomPassword_Deterministic(t *testing.T) {
	t.Parallel()
	spec := secrets.DefaultPasswordSpec()
	a, err := secrets.RandomPassword(seeded(t), spec)
	if err != nil {
		t.Fatal(err)
	}
	b, err := secrets.RandomPassword(seeded(t), spec)
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Fatalf("same source gave %q and %q", a, b)
	}
}

// TestRandomPassword_Distribution draws many characters and checks that each
// allowed one turns up about as often as the others and no excluded one ever
// does.
func TestRandomPassword_Distribution(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		spec secrets.PasswordSpec
	}{
		{"AllTypesAndSpace", secrets.PasswordSpec{Length: 4096, IncludeSpace: true}},
		{"Exclusions", secrets.PasswordSpec{Length: 4096, ExcludeUppercase: true, ExcludeCharacters: "aeiou0!\"\\` "}},
		{"Required", secrets.PasswordSpec{Length: 4096, RequireEachIncludedType: true, ExcludeCharacters: "ABC"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ok := allowed(tt.spec)
			counts := map[rune]int{}
			total := 0
			rnd := seeded(t)
			for range 40 { // 40 × 4096 ≈ 164k characters
				pw, err := secrets.RandomPassword(rnd, tt.spec)
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range pw {
					counts[c]++
					total++
				}
			}
			for c := range counts {
				if !ok[c] {
					t.Errorf("excluded character %q drawn %d times", c, counts[c])
				}
			}
			want := float64(total) / float64(len(ok))
			for c := range ok {
				// Each count is binomial with σ ≈ √want ≈ 42 here; ±20%
				// is more than 7σ, so a failure means bias, not bad luck.
				if got := float64(counts[c]); got < 0.8*want || got > 1.2*want {
					t.Errorf("character %q drawn %v times, want about %.0f", c, got, want)
				}
			}
		})
	}
}

func TestRandomPassword_RequireEachIncludedType(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		spec  secrets.PasswordSpec
		types []string
	}{
		{"FourTypesLength4", secrets.PasswordSpec{Length: 4, RequireEachIncludedType: true}, []string{upper, lower, digit, punct}},
		{"FourTypesLength5WithSpace", secrets.PasswordSpec{Length: 5, RequireEachIncludedType: true, IncludeSpace: true}, []string{upper, lower, digit, punct}},
		{"ThreeTypesLength3", secrets.PasswordSpec{Length: 3, RequireEachIncludedType: true, ExcludePunctuation: true}, []string{upper, lower, digit}},
		{"TinyTypes", secrets.PasswordSpec{
			Length: 4, RequireEachIncludedType: true,
			ExcludeCharacters: upper[1:] + lower[1:] + digit[1:],
		}, []string{"A", "a", "0", punct}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rnd := seeded(t)
			for range 10000 {
				pw, err := secrets.RandomPassword(rnd, tt.spec)
				if err != nil {
					t.Fatal(err)
				}
				for _, set := range tt.types {
					if !strings.ContainsAny(pw, set) {
						t.Fatalf("password %q lacks a character of %q", pw, set)
					}
				}
			}
		})
	}
}

// TestRandomPassword_RequireEachIncludedTypeUniform checks that requiring
// each type does not skew the choice among the valid passwords: with the
// pool {a, b, 1} and length 2 the valid passwords are a1, 1a, b1 and 1b, and
// each should be equally likely.
func TestRandomPassword_RequireEachIncludedTypeUniform(t *testing.T) {
	t.Parallel()
	spec := secrets.PasswordSpec{
		Length: 2, RequireEachIncludedType: true,
		ExcludeUppercase: true, ExcludePunctuation: true,
		ExcludeCharacters: lower[2:] + digit[2:] + "0",
	}
	rnd := seeded(t)
	counts := map[string]int{}
	const n = 40000
	for range n {
		pw, err := secrets.RandomPassword(rnd, spec)
		if err != nil {
			t.Fatal(err)
		}
		counts[pw]++
	}
	want := map[string]bool{"a1": true, "1a": true, "b1": true, "1b": true}
	for pw, c := range counts {
		if !want[pw] {
			t.Errorf("drew %q (%d times), which lacks a required type", pw, c)
		}
	}
	for pw := range want {
		if c := counts[pw]; c < n/4*9/10 || c > n/4*11/10 {
			t.Errorf("%q drawn %d times, want about %d", pw, c, n/4)
		}
	}
}

func TestRandomPassword_Errors(t *testing.T) {
	t.Parallel()
	const (
		tooShort     = "Password length is too short based on the required types."
		typeExcluded = "All characters of the desired type have been excluded."
		allExcluded  = "All characters have been excluded from selection."
	)
	allOff := secrets.PasswordSpec{ExcludeUppercase: true, ExcludeLowercase: true, ExcludeNumbers: true, ExcludePunctuation: true}
	tests := []struct {
		name string
		spec secrets.PasswordSpec
		kind secrets.Kind
		msg  string
	}{
		{"ErrEveryTypeExcluded", allOff, secrets.InvalidParameter, allExcluded},
		{"ErrEveryTypeExcludedRequire", func() secrets.PasswordSpec { s := allOff; s.RequireEachIncludedType = true; return s }(), secrets.InvalidParameter, allExcluded},
		{"ErrSpaceExcludedToo", func() secrets.PasswordSpec {
			s := allOff
			s.IncludeSpace, s.ExcludeCharacters = true, " "
			return s
		}(), secrets.InvalidParameter, allExcluded},
		{"ErrEveryCharacterListed", secrets.PasswordSpec{ExcludeCharacters: upper + lower + digit + punct}, secrets.InvalidParameter, allExcluded},
		{"ErrRequiredTypeEmptied", secrets.PasswordSpec{RequireEachIncludedType: true, ExcludeCharacters: punct}, secrets.InvalidParameter, typeExcluded},
		{"ErrRequiredTypeEmptiedDigits", secrets.PasswordSpec{RequireEachIncludedType: true, ExcludeCharacters: digit}, secrets.InvalidParameter, typeExcluded},
		{"ErrTooShortFour", secrets.PasswordSpec{Length: 3, RequireEachIncludedType: true}, secrets.InvalidParameter, tooShort},
		{"ErrTooShortTwo", secrets.PasswordSpec{Length: 1, RequireEachIncludedType: true, ExcludeNumbers: true, ExcludePunctuation: true}, secrets.InvalidParameter, tooShort},
		{"ErrTooShortSpaceNotCounted", secrets.PasswordSpec{Length: 3, RequireEachIncludedType: true, IncludeSpace: true}, secrets.InvalidParameter, tooShort},
		{"ErrLengthNegative", secrets.PasswordSpec{Length: -1}, secrets.Validation,
			"1 validation error detected: Value '-1' at 'passwordLength' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"ErrLengthTooLong", secrets.PasswordSpec{Length: 4097}, secrets.Validation,
			"1 validation error detected: Value '4097' at 'passwordLength' failed to satisfy constraint: Member must have value less than or equal to 4096"},
		{"ErrExcludeCharactersTooLong", secrets.PasswordSpec{ExcludeCharacters: strings.Repeat("x", 4097)}, secrets.Validation,
			"1 validation error detected: Value at 'excludeCharacters' failed to satisfy constraint: Member must have length less than or equal to 4096"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pw, err := secrets.RandomPassword(seeded(t), tt.spec)
			if err == nil {
				t.Fatalf("RandomPassword = %q, want error %q", pw, tt.msg)
			}
			var e *secrets.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T) is not a *secrets.Error", err, err)
			}
			if e.Kind != tt.kind || e.Op != "secrets.GetRandomPassword" || e.Msg != tt.msg {
				t.Fatalf("error = {Kind: %v, Op: %q, Msg: %q}, want {%v, secrets.GetRandomPassword, %q}", e.Kind, e.Op, e.Msg, tt.kind, tt.msg)
			}
		})
	}

	t.Run("OKLengthEqualsRequiredTypes", func(t *testing.T) {
		t.Parallel()
		if _, err := secrets.RandomPassword(seeded(t), secrets.PasswordSpec{Length: 4, RequireEachIncludedType: true}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrReader", func(t *testing.T) {
		t.Parallel()
		boom := errors.New("boom")
		_, err := secrets.RandomPassword(errReader{boom}, secrets.DefaultPasswordSpec())
		if secrets.KindOf(err) != secrets.Internal || !errors.Is(err, boom) {
			t.Fatalf("err = %v, want an Internal error wrapping boom", err)
		}
		if got := secrets.MessageOf(err); got != "internal error" {
			t.Fatalf("MessageOf = %q, want the generic message", got)
		}
	})
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
