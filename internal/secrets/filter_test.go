package secrets_test

import (
	"testing"

	"github.com/coffer-dev/coffer/internal/secrets"
)

// Each case names the rule of MatchFilters's doc comment it exercises and
// where the example comes from: [API], [Guide], [LocalStack] and [moto] as
// in filter.go, or "decision" where Coffer chose in the absence of evidence.
func TestMatchFilters(t *testing.T) {
	t.Parallel()
	named := func(name string) *secrets.Secret { return &secrets.Secret{Name: name} }
	described := func(desc string) *secrets.Secret { return &secrets.Secret{Name: "x", Description: desc} }
	tagged := func(tags ...string) *secrets.Secret {
		s := &secrets.Secret{Name: "x"}
		for i := 0; i+1 < len(tags); i += 2 {
			s.Tags = append(s.Tags, secrets.Tag{Key: tags[i], Value: tags[i+1]})
		}
		return s
	}
	f := func(key string, values ...string) secrets.Filter { return secrets.Filter{Key: key, Values: values} }
	one := func(key string, values ...string) []secrets.Filter { return []secrets.Filter{f(key, values...)} }
	const (
		name  = secrets.FilterName
		desc  = secrets.FilterDescription
		tkey  = secrets.FilterTagKey
		tval  = secrets.FilterTagValue
		reg   = secrets.FilterPrimaryRegion
		owner = secrets.FilterOwningService
		all   = secrets.FilterAll
	)

	tests := []struct {
		name    string
		rule    string
		secret  *secrets.Secret
		filters []secrets.Filter
		want    bool
	}{
		// Rule 1: filters are ANDed.
		{"NoFilters", "1", named("anything"), nil, true},
		{"SameKeyTwiceBoth", "1 [moto test_with_duplicate_filter_keys]", described("one two"), []secrets.Filter{f(desc, "one"), f(desc, "two")}, true},
		{"SameKeyTwiceOne", "1 [moto test_with_duplicate_filter_keys]", described("one"), []secrets.Filter{f(desc, "one"), f(desc, "two")}, false},
		{"TagKeyAndValueBoth", "1 [moto test_with_multiple_filters]", tagged("right", "right"), []secrets.Filter{f(tkey, "right"), f(tval, "right")}, true},
		{"TagKeyAndValueOne", "1 [moto test_with_multiple_filters]", tagged("right", "wrong"), []secrets.Filter{f(tkey, "right"), f(tval, "right")}, false},
		{"DescriptionAndName", "1 [LocalStack]", &secrets.Secret{Name: "/testing2/two-1", Description: "an secret"}, []secrets.Filter{f(desc, "a"), f(name, "an")}, false},

		// Rule 2: values are ORed.
		{"ValuesOrFirst", "2 [moto test_with_filter_with_multiple_values]", named("foo"), one(name, "foo", "bar"), true},
		{"ValuesOrSecond", "2 [moto test_with_filter_with_multiple_values]", named("bar"), one(name, "foo", "bar"), true},
		{"ValuesOrNone", "2 [moto test_with_filter_with_multiple_values]", named("baz"), one(name, "foo", "bar"), false},
		{"NoValues", "2 (model requires ≥1)", named("foo"), one(name), false},

		// Rule 3: "!" negates.
		{"NegateName", "3 [LocalStack]", named("testing1/one-1"), one(name, "!/"), true},
		{"NegateNameMatching", "3 [LocalStack]", named("/testing2/two-1"), one(name, "!/"), false},
		{"NegateDescription", "3 [LocalStack]", described("thesecret"), one(desc, "!a"), true},
		{"NegateDescriptionMatching", "3 [LocalStack]", described("a secret"), one(desc, "!a"), false},
		{"NegateNoWordMatches", "3 [LocalStack]", described("asecret"), one(desc, "!c"), true},
		{"NegateOrPositive", "3 [moto test_with_filter_with_negation]", described("one two"), one(desc, "one", "!two"), true},
		{"NegateOrNegative", "3 [moto test_with_filter_with_negation]", described("unrelated"), one(desc, "one", "!two"), true},
		{"NegateOrNeither", "3 [moto test_with_filter_with_negation]", described("two"), one(desc, "one", "!two"), false},
		{"NegateOnlyFirstBang", "3 decision", named("!x-secret"), one(name, "!!x"), false},
		{"NegateTagsNoneMatch", "3 decision", tagged("Production", "1", "dev", "2"), one(tkey, "!Prod"), false},
		{"NegateTagsOtherKeys", "3 decision", tagged("dev", "1"), one(tkey, "!Prod"), true},
		{"NegateNoTags", "3 decision", tagged(), one(tkey, "!Prod"), true},
		{"NegateNoDescription", "3 decision", described(""), one(desc, "!x"), true},

		// Rule 4: name is a case-sensitive prefix, not split into words.
		{"NamePrefixSlash", "4 [LocalStack]", named("/testing2/two-1"), one(name, "/"), true},
		{"NameNoPrefixSlash", "4 [LocalStack]", named("testing1/one-1"), one(name, "/"), false},
		{"NameNotWords", "4 [LocalStack]", named("testing1/one-1"), one(name, "testing1 one"), false},
		{"NameData", "4 [Guide]", named("DatabaseSecret"), one(name, "Data"), true},
		{"NameDataCase", "4 [Guide]", named("databaseSecret"), one(name, "Data"), false},
		{"NameDataInside", "4 [Guide]", named("MyData"), one(name, "Data"), false},

		// Rule 5: description matches words, not case-sensitive.
		{"DescriptionA", "5 [LocalStack]", described("a secret"), one(desc, "a"), true},
		{"DescriptionAPrefix", "5 [LocalStack]", described("an secret"), one(desc, "a"), true},
		{"DescriptionAWholeWord", "5 [LocalStack]", described("asecret"), one(desc, "a"), true},
		{"DescriptionAInside", "5 [LocalStack]", described("thesecret"), one(desc, "a"), false},
		{"DescriptionTwoWords", "5 [LocalStack]", described("an secret"), one(desc, "a secret"), true},
		{"DescriptionTwoWordsJoined", "5 [LocalStack]", described("asecret"), one(desc, "a secret"), false},
		{"DescriptionAnyOrderAnyCase", "5 [Guide]", described("Description of my secret"), one(desc, "My Description"), true},
		{"DescriptionLowercase", "5 [Guide]", described("my description"), one(desc, "My Description"), true},
		{"DescriptionWordsBetween", "5 [moto verified]", described("one and two"), one(desc, "one two"), true},
		{"DescriptionMissingWord", "5 [moto verified]", described("one"), one(desc, "one two"), false},
		{"DescriptionInitials", "5 [moto verified]", described("one two"), one(desc, "o t"), true},
		{"DescriptionNoWordStarts", "5 [moto verified]", described("unrelated"), one(desc, "t"), false},
		{"DescriptionConducts", "5 [Guide CLI example]", described("Conducts an AWS SecretsManager rotation for RDS MySQL"), one(desc, "conducts"), true},

		// Rule 6: tag keys and values are case-sensitive prefixes.
		{"TagKeyProduction", "6 [Guide]", tagged("Production", "x"), one(tkey, "Prod"), true},
		{"TagKeyProd1", "6 [Guide]", tagged("Prod1", "x"), one(tkey, "Prod"), true},
		{"TagKeyCase", "6 [Guide]", tagged("prod", "x"), one(tkey, "Prod"), false},
		{"TagKeyInside", "6 [Guide]", tagged("1 Prod", "x"), one(tkey, "Prod"), false},
		{"TagKeyAnyTag", "6 [API]", tagged("a", "1", "Prod", "2"), one(tkey, "Prod"), true},
		{"TagKeyNotValue", "6 [API]", tagged("x", "Prod"), one(tkey, "Prod"), false},
		{"TagValueProduction", "6 [Guide]", tagged("x", "Production"), one(tval, "Prod"), true},
		{"TagValueCase", "6 [Guide]", tagged("x", "prod"), one(tval, "Prod"), false},
		{"TagValueInside", "6 [Guide]", tagged("x", "1 Prod"), one(tval, "Prod"), false},
		{"TagValueNoTags", "6", tagged(), one(tval, "Prod"), false},

		// Rule 7: primary-region is a case-sensitive prefix of the region.
		{"RegionExact", "7 [API]", &secrets.Secret{Name: "x", Region: "us-west-2"}, one(reg, "us-west-2"), true},
		{"RegionPrefix", "7 [API]", &secrets.Secret{Name: "x", Region: "us-west-2"}, one(reg, "us-"), true},
		{"RegionCase", "7 [API]", &secrets.Secret{Name: "x", Region: "us-west-2"}, one(reg, "US-"), false},
		{"RegionOther", "7 [API]", &secrets.Secret{Name: "x", Region: "eu-west-1"}, one(reg, "us-"), false},

		// Rule 8: owning-service is a prefix, not case-sensitive.
		{"OwnerRDS", "8 [AWS CLI list-secrets example 3]", &secrets.Secret{Name: "rds!cluster-1", OwningService: "rds"}, one(owner, "rds"), true},
		{"OwnerPrefix", "8 [Guide]", &secrets.Secret{Name: "x", OwningService: "my-service"}, one(owner, "my-ser"), true},
		{"OwnerCase", "8 [Guide]", &secrets.Secret{Name: "x", OwningService: "my-service"}, one(owner, "MY-SER"), true},
		{"OwnerNotPrefix", "8 [Guide]", &secrets.Secret{Name: "x", OwningService: "my-service"}, one(owner, "service"), false},
		{"OwnerNone", "8 [moto test_filter_with_owning_service]", named("foo"), one(owner, "n/a"), false},
		{"OwnerNoneEmptyValue", "8", named("foo"), one(owner, ""), false},
		{"OwnerNoneNegated", "8, 3", named("foo"), one(owner, "!rds"), true},

		// Rule 9: all matches words in one attribute, not case-sensitive.
		{"AllFullMatch", "9 [moto verified]", named("SecretOne1a2b"), one(all, "SecretOne"), true},
		{"AllFullMatchOther", "9 [moto verified]", named("SecretTwo1a2b"), one(all, "SecretOne"), false},
		{"AllWordPrefix", "9 [moto verified]", named("SecretTwo1a2b"), one(all, "sec"), true},
		{"AllLowercase", "9 [moto verified]", named("SecretFTag1a2b"), one(all, "secret"), true},
		{"AllNotInsideWord", "9 [moto verified]", named("Thirdsecret1a2b"), one(all, "secret"), false},
		{"AllNotSuffix", "9 [moto verified]", named("SecretOne1a2b"), one(all, "ret"), false},
		{"AllTagValue", "9 [moto verified]", &secrets.Secret{Name: "SecretFTag1", Tags: []secrets.Tag{{Key: "1", Value: "foo"}}}, one(all, "foo"), true},
		{"AllTagKey", "9 [moto verified]", &secrets.Secret{Name: "SecretFValue1", Tags: []secrets.Tag{{Key: "foo", Value: "v"}}}, one(all, "foo"), true},
		{"AllEveryWord", "9 [moto verified]", named("SecretOne1"), one(all, "SomeSecret"), false},
		{"AllDescription", "9 [moto verified]", &secrets.Secret{Name: "SecretTwo1", Description: "DescTwo"}, one(all, "d t"), true},
		{"AllSameAttribute", "9 [moto verified]", &secrets.Secret{Name: "Dog", Description: "Tiger"}, one(all, "d t"), false},
		{"AllCamelInName", "9 [moto verified]", named("SecretTwo1"), one(all, "t"), true},
		{"AllNotRegion", "9 [Guide]", &secrets.Secret{Name: "x", Region: "us-west-2"}, one(all, "us"), false},
		{"AllNotOwner", "9 [Guide]", &secrets.Secret{Name: "x", OwningService: "rds"}, one(all, "rds"), false},
		{"AllNegated", "9, 3", named("prod/AppBeta/x1"), one(all, "!beta"), false},

		// Rule 10: word splitting.
		{"SplitSlash", "10 [moto verified]", named("prod/AppBeta/a1b2"), one(all, "AppBeta"), true},
		{"SplitUnderscore", "10 [moto verified]", named("prod_AppBeta_a1b2"), one(all, "Beta"), true},
		{"SplitPlus", "10 [moto verified]", named("prod+AppBeta+a1b2"), one(all, "Beta"), true},
		{"SplitEquals", "10 [moto verified]", named("prod=AppBeta=a1b2"), one(all, "Beta"), true},
		{"SplitDot", "10 [moto verified]", named("prod.AppBeta.a1b2"), one(all, "Beta"), true},
		{"SplitAt", "10 [moto verified]", named("prod@AppBeta@a1b2"), one(all, "Beta"), true},
		{"SplitDash", "10 [moto verified]", named("prod-AppBeta-a1b2"), one(all, "Beta"), true},
		{"SplitMixedSeparators", "10 [Guide: special characters are ignored]", named("prod-AppBeta/a1b2"), one(all, "Beta"), true},
		{"SplitSeparatorOnly", "10 [moto verified]", named("prod+AppBeta+a1b2"), one(all, "+"), false},
		{"SplitCapitals", "10 [moto verified]", named("uat/COMPANY/a1b2"), one(all, "company"), true},
		{"SplitCapitalsThenLower", "10 [moto verified]", named("uat/COMPANYthings/a1b2"), one(all, "company"), false},
		{"SplitYthings", "10 [moto verified]", named("uat/COMPANYthings/a1b2"), one(all, "Ythings"), true},
		{"SplitThings", "10 [moto verified]", named("uat/COMPANYthings/a1b2"), one(all, "things"), false},
		{"SplitNoSingleCapital", "10 [moto verified]", named("uat/COMPANY/a1b2"), one(all, "N"), false},
		{"SplitNotInsideCapitals", "10 [moto verified]", named("uat/COMPANY/a1b2"), one(all, "pany"), false},
		{"SplitGuideExample", "10 [Guide]", named("creds/database/892"), one(all, "credsDatabase#892"), true},
		{"SplitGuideExampleMissing", "10 [Guide]", named("creds/database"), one(all, "credsDatabase#892"), false},
		{"SplitLetterDigit", "10 [Guide]", named("db2prod"), one(all, "prod"), true},
		{"SplitDigitRun", "10 [Guide]", named("backup-2024"), one(all, "20"), true},
		{"SplitAcronym", "10", named("MyDBSecret"), one(all, "db"), true},

		// Unknown keys.
		{"UnknownKey", "model enum", named("foo"), one("colour", "foo"), false},
		{"UnknownKeyNegated", "model enum", named("foo"), one("colour", "!foo"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := secrets.MatchFilters(tt.secret, tt.filters); got != tt.want {
				t.Errorf("rule %s: MatchFilters(%+v, %+v) = %v, want %v", tt.rule, tt.secret, tt.filters, got, tt.want)
			}
		})
	}
}
