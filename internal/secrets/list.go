package secrets

import (
	"bytes"
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Sort keys and orders of ListSecrets.
const (
	SortCreated      = "created-date"
	SortLastAccessed = "last-accessed-date"
	SortLastChanged  = "last-changed-date"
	SortName         = "name"
	SortAsc          = "asc"
	SortDesc         = "desc"
)

// Page sizes used when the caller gives none.
const (
	defaultListPage    = 100
	defaultBatchPage   = 20
	defaultVersionPage = 100
)

// ListSecretsInput is ListSecrets' request.
type ListSecretsInput struct {
	Filters                []Filter
	IncludePlannedDeletion bool
	SortBy                 string // default created-date
	SortOrder              string // default asc
	MaxResults             int    // 0 means the default page
	NextToken              string
}

// ListedSecret is one entry of ListSecrets.
type ListedSecret struct {
	Secret
	VersionStages map[string][]string
}

// ListSecretsOutput is ListSecrets' response.
type ListSecretsOutput struct {
	Secrets   []ListedSecret
	NextToken string
}

// ListSecrets lists the caller's secrets in the region, filtered, sorted and
// paginated. Pages are cut by the last entry's sort key and ARN, so a secret
// that exists for the whole walk appears exactly once however many others
// are created or deleted between pages.
func (s *Service) ListSecrets(ctx context.Context, c Caller, in ListSecretsInput) (*ListSecretsOutput, error) {
	const op = "secrets.ListSecrets"
	if err := s.authorizeAny(ctx, c, op); err != nil {
		return nil, err
	}
	// AWS documents no default order; its recorded listings come oldest first.
	by, order := cmp.Or(in.SortBy, SortCreated), cmp.Or(in.SortOrder, SortAsc)
	query := queryHash("ListSecrets", c, in.Filters, in.IncludePlannedDeletion, by, order)
	var out *ListSecretsOutput
	err := s.Store.View(ctx, func(tx Tx) error {
		all, err := tx.Secrets(ctx, c.Account, c.Region)
		if err != nil {
			return internal(op, err)
		}
		matched := all[:0]
		for _, sec := range all {
			if s.expired(sec) || sec.Scheduled() && !in.IncludePlannedDeletion || !MatchFilters(sec, in.Filters) {
				continue
			}
			matched = append(matched, sec)
		}
		page, next, err := s.paginate(op, matched, by, order, query, in.NextToken, cmp.Or(in.MaxResults, defaultListPage))
		if err != nil {
			return err
		}
		out = &ListSecretsOutput{NextToken: next}
		for _, sec := range page {
			versions, err := tx.Versions(ctx, sec.ARN)
			if err != nil {
				return internal(op, err)
			}
			out.Secrets = append(out.Secrets, ListedSecret{Secret: *sec, VersionStages: stagesMap(versions)})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// sortKey returns the key a secret sorts by, as a string that orders as
// the key does.
func sortKey(sec *Secret, by string) string {
	switch by {
	case SortName:
		return sec.Name
	case SortLastAccessed:
		return timeKey(sec.LastAccessedAt)
	case SortLastChanged:
		return timeKey(sec.LastChangedAt)
	default:
		return timeKey(sec.CreatedAt)
	}
}

func timeKey(t time.Time) string {
	if t.IsZero() {
		return fmt.Sprintf("%020d", 0)
	}
	// Flipping the sign bit maps int64 order onto uint64 order, so the
	// 20-digit decimal strings sort as the times do. (Subtracting an early
	// epoch instead overflows int64 for present-day times.)
	return fmt.Sprintf("%020d", uint64(t.UnixNano())^(1<<63))
}

// pageToken is the content of a NextToken: where the last page ended, and
// a hash of the query it belongs to.
type pageToken struct {
	Query []byte `json:"q"`
	Key   string `json:"k"`
	ARN   string `json:"a"`
}

// paginate sorts secrets by (key, ARN) in order and returns the page after
// the one the token ends, and the token of the next page.
func (s *Service) paginate(op string, secrets []*Secret, by, order string, query []byte, token string, size int) ([]*Secret, string, error) {
	type keyed struct {
		key string
		sec *Secret
	}
	ks := make([]keyed, len(secrets))
	for i, sec := range secrets {
		ks[i] = keyed{sortKey(sec, by), sec}
	}
	compare := func(ak, aARN, bk, bARN string) int {
		c := cmp.Or(cmp.Compare(ak, bk), cmp.Compare(aARN, bARN))
		if order == SortDesc {
			return -c
		}
		return c
	}
	slices.SortFunc(ks, func(a, b keyed) int { return compare(a.key, a.sec.ARN, b.key, b.sec.ARN) })
	start := 0
	if token != "" {
		var t pageToken
		if !s.openToken(token, &t) || !bytes.Equal(t.Query, query) {
			return nil, "", newError(InvalidNextToken, op, msgInvalidNextToken)
		}
		start, _ = slices.BinarySearchFunc(ks, t, func(e keyed, t pageToken) int {
			if compare(e.key, e.sec.ARN, t.Key, t.ARN) <= 0 {
				return -1
			}
			return 1
		})
	}
	end := min(start+size, len(ks))
	page := make([]*Secret, 0, end-start)
	for _, e := range ks[start:end] {
		page = append(page, e.sec)
	}
	next := ""
	if end < len(ks) {
		last := ks[end-1]
		next = s.sealToken(pageToken{Query: query, Key: last.key, ARN: last.sec.ARN})
	}
	return page, next, nil
}

// queryHash identifies a query, so that a token is refused with another.
func queryHash(op string, c Caller, parts ...any) []byte {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00", op, c.Account, c.Region)
	json.NewEncoder(h).Encode(parts)
	return h.Sum(nil)[:16]
}

func (s *Service) sealToken(v any) string {
	payload, _ := json.Marshal(v)
	mac := hmac.New(sha256.New, s.TokenKey)
	mac.Write(payload)
	return base64.RawURLEncoding.EncodeToString(append(payload, mac.Sum(nil)...))
}

func (s *Service) openToken(token string, v any) bool {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) < sha256.Size {
		return false
	}
	payload, sum := raw[:len(raw)-sha256.Size], raw[len(raw)-sha256.Size:]
	mac := hmac.New(sha256.New, s.TokenKey)
	mac.Write(payload)
	if !hmac.Equal(sum, mac.Sum(nil)) {
		return false
	}
	return json.Unmarshal(payload, v) == nil
}

// ListVersionsInput is ListSecretVersionIds' request.
type ListVersionsInput struct {
	SecretID          string
	IncludeDeprecated bool
	MaxResults        int
	NextToken         string
}

// ListVersionsOutput is ListSecretVersionIds' response.
type ListVersionsOutput struct {
	ARN       string
	Name      string
	KMSKeyID  string // the secret's KmsKeyId; empty for the default key
	Versions  []*Version
	NextToken string
}

type versionToken struct {
	Query []byte `json:"q"`
	Seq   int64  `json:"s"`
}

// ListSecretVersionIds lists a secret's versions, oldest first as AWS's
// recorded answers do; versions without labels only with IncludeDeprecated.
func (s *Service) ListSecretVersionIds(ctx context.Context, c Caller, in ListVersionsInput) (*ListVersionsOutput, error) {
	const op = "secrets.ListSecretVersionIds"
	var out *ListVersionsOutput
	err := s.Store.View(ctx, func(tx Tx) error {
		// Not findLive: like DescribeSecret, ListSecretVersionIds declares no
		// InvalidRequestException in the model, so it works on a secret
		// scheduled for deletion.
		sec, err := s.find(ctx, tx, op, c, in.SecretID, nil)
		if err != nil {
			return err
		}
		query := queryHash("ListSecretVersionIds", c, sec.ARN, in.IncludeDeprecated)
		versions, err := tx.Versions(ctx, sec.ARN)
		if err != nil {
			return internal(op, err)
		}
		after := int64(-1)
		if in.NextToken != "" {
			var t versionToken
			if !s.openToken(in.NextToken, &t) || !bytes.Equal(t.Query, query) {
				return newError(InvalidNextToken, op, msgInvalidNextToken)
			}
			after = t.Seq
		}
		size := cmp.Or(in.MaxResults, defaultVersionPage)
		out = &ListVersionsOutput{ARN: sec.ARN, Name: sec.Name, KMSKeyID: sec.KMSKeyID}
		for _, v := range versions {
			if v.Seq <= after || v.Pruned() || len(v.Stages) == 0 && !in.IncludeDeprecated {
				continue
			}
			if len(out.Versions) == size {
				last := out.Versions[len(out.Versions)-1]
				out.NextToken = s.sealToken(versionToken{Query: query, Seq: last.Seq})
				break
			}
			out.Versions = append(out.Versions, v)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// BatchGetInput is BatchGetSecretValue's request: SecretIDs or Filters.
type BatchGetInput struct {
	SecretIDs  []string
	Filters    []Filter
	HasFilters bool // Filters was given, even if empty
	MaxResults int
	NextToken  string
}

// BatchError is the failure to read one secret of a batch.
type BatchError struct {
	SecretID string
	Err      error
}

// BatchGetOutput is BatchGetSecretValue's response.
type BatchGetOutput struct {
	Values    []*SecretValue
	Errors    []BatchError
	NextToken string
}

// BatchGetSecretValue reads the AWSCURRENT value of several secrets, named
// or found by filters. A secret that cannot be read is reported in Errors
// and does not fail the call.
func (s *Service) BatchGetSecretValue(ctx context.Context, c Caller, in BatchGetInput) (*BatchGetOutput, error) {
	const op = "secrets.BatchGetSecretValue"
	if len(in.SecretIDs) > 0 == in.HasFilters {
		return nil, newError(InvalidParameter, op, msgBatchBoth)
	}
	if len(in.SecretIDs) > 0 && in.MaxResults != 0 {
		return nil, newError(InvalidParameter, op, msgBatchMaxResults)
	}
	// BatchGetSecretValue needs its own permission, and GetSecretValue on
	// each secret (and ListSecrets to use filters): "BatchGetSecretValue"
	// in the API reference.
	if err := s.authorizeAny(ctx, c, op); err != nil {
		return nil, err
	}
	ids := in.SecretIDs
	out := &BatchGetOutput{}
	if in.HasFilters {
		list, err := s.ListSecrets(ctx, c, ListSecretsInput{
			Filters: in.Filters, SortBy: SortCreated, SortOrder: SortAsc,
			MaxResults: cmp.Or(in.MaxResults, defaultBatchPage), NextToken: in.NextToken,
		})
		if err != nil {
			return nil, err
		}
		out.NextToken = list.NextToken
		ids = nil
		for _, l := range list.Secrets {
			ids = append(ids, l.ARN)
		}
	}
	for _, id := range ids {
		v, err := s.GetSecretValue(ctx, c, GetSecretValueInput{SecretID: id})
		if err != nil {
			if KindOf(err) == Internal {
				return nil, err
			}
			out.Errors = append(out.Errors, BatchError{SecretID: id, Err: err})
			continue
		}
		out.Values = append(out.Values, v)
	}
	return out, nil
}
