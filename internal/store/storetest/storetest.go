// Package storetest is the conformance suite for implementations of
// secrets.Store. Every backend runs it from its own tests:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) secrets.Store {
//			s, err := sqlite.Open(filepath.Join(t.TempDir(), "coffer.db"), sqlite.Options{})
//			if err != nil {
//				t.Fatal(err)
//			}
//			return s
//		})
//	}
//
// The suite checks the contract written on secrets.Store and secrets.Tx, and
// these readings of it:
//
//   - Times round-trip as instants with nanosecond precision (time.Time.Equal;
//     the location and monotonic reading may change), and a zero time stays
//     zero.
//   - Slices round-trip in order. A nil slice and an empty one are the same
//     value: a store may return either.
//   - Single-record getters return an error for which
//     errors.Is(err, secrets.ErrNotFound) holds; lists return no error and
//     no records when there are none.
//   - View's transaction is read-only: a put through it fails.
//   - A Tx method given a context that has ended returns an error for which
//     errors.Is(err, ctx.Err()) holds.
package storetest

import (
	"context"
	"testing"

	"github.com/coffer-dev/coffer/internal/secrets"
)

// Run runs the conformance suite against the stores open returns. open is
// called once for each subtest, with that subtest's t, and must return a new,
// empty store; Run closes it when the subtest ends (Close must tolerate a
// second call if open also arranges one). Subtests run in parallel, so open
// must be safe to call concurrently.
func Run(t *testing.T, open func(t *testing.T) secrets.Store) {
	t.Helper()
	r := &runner{open: open}

	t.Run("SecretByARN", func(t *testing.T) {
		r.run(t, "OK", testSecretByARN_OK)
		r.run(t, "ZeroFields", testSecretByARN_ZeroFields)
		r.run(t, "ErrNotFound", testSecretByARN_ErrNotFound)
	})
	t.Run("SecretByName", func(t *testing.T) {
		r.run(t, "OK", testSecretByName_OK)
		r.run(t, "ErrNotFound", testSecretByName_ErrNotFound)
	})
	t.Run("Secrets", func(t *testing.T) {
		r.run(t, "OrderedByARN", testSecrets_OrderedByARN)
		r.run(t, "Scoped", testSecrets_Scoped)
		r.run(t, "Empty", testSecrets_Empty)
	})
	t.Run("SecretsDueForPurge", func(t *testing.T) {
		r.run(t, "OK", testSecretsDueForPurge_OK)
		r.run(t, "Empty", testSecretsDueForPurge_Empty)
	})
	t.Run("PutSecret", func(t *testing.T) {
		r.run(t, "ReplaceByARN", testPutSecret_ReplaceByARN)
		r.run(t, "Rename", testPutSecret_Rename)
		r.run(t, "ErrNameTaken", testPutSecret_ErrNameTaken)
		r.run(t, "ErrNameTakenOnRename", testPutSecret_ErrNameTakenOnRename)
		r.run(t, "SameNameOtherScope", testPutSecret_SameNameOtherScope)
		r.run(t, "KeepsVersions", testPutSecret_KeepsVersions)
		r.run(t, "EmptyTags", testPutSecret_EmptyTags)
		r.run(t, "ResourcePolicy", testPutSecret_ResourcePolicy)
	})
	t.Run("DeleteSecret", func(t *testing.T) {
		r.run(t, "OK", testDeleteSecret_OK)
		r.run(t, "RemovesVersions", testDeleteSecret_RemovesVersions)
		r.run(t, "Missing", testDeleteSecret_Missing)
	})
	t.Run("Version", func(t *testing.T) {
		r.run(t, "OK", testVersion_OK)
		r.run(t, "ZeroFields", testVersion_ZeroFields)
		r.run(t, "ErrNotFound", testVersion_ErrNotFound)
		r.run(t, "ScopedBySecret", testVersion_ScopedBySecret)
	})
	t.Run("Versions", func(t *testing.T) {
		r.run(t, "OrderedBySeq", testVersions_OrderedBySeq)
		r.run(t, "Empty", testVersions_Empty)
	})
	t.Run("PutVersion", func(t *testing.T) {
		r.run(t, "Replace", testPutVersion_Replace)
		r.run(t, "Pruned", testPutVersion_Pruned)
	})
	t.Run("SecretWithStage", func(t *testing.T) {
		r.run(t, "OK", testSecretWithStage)
	})
	t.Run("DeleteVersion", func(t *testing.T) {
		r.run(t, "OK", testDeleteVersion_OK)
		r.run(t, "Missing", testDeleteVersion_Missing)
	})
	t.Run("KMSKey", func(t *testing.T) {
		r.run(t, "OK", testKMSKey_OK)
		r.run(t, "Replace", testKMSKey_Replace)
		r.run(t, "ErrNotFound", testKMSKey_ErrNotFound)
	})
	t.Run("KMSAlias", func(t *testing.T) {
		r.run(t, "OK", testKMSAlias_OK)
		r.run(t, "Replace", testKMSAlias_Replace)
		r.run(t, "ErrNotFound", testKMSAlias_ErrNotFound)
	})
	t.Run("KMSKeys", func(t *testing.T) {
		r.run(t, "Scoped", testKMSKeys_Scoped)
		r.run(t, "Delete", testDeleteKMSKey)
	})
	t.Run("KMSAliases", func(t *testing.T) {
		r.run(t, "Scoped", testKMSAliases_Scoped)
		r.run(t, "Delete", testDeleteKMSAlias)
	})
	t.Run("Meta", func(t *testing.T) {
		r.run(t, "OK", testMeta)
	})
	t.Run("Account", func(t *testing.T) {
		r.run(t, "OK", testAccount_OK)
		r.run(t, "Replace", testAccount_Replace)
		r.run(t, "ErrNotFound", testAccount_ErrNotFound)
		r.run(t, "ListOrderedByID", testAccounts_OrderedByID)
	})
	t.Run("AccessKey", func(t *testing.T) {
		r.run(t, "OK", testAccessKey_OK)
		r.run(t, "Replace", testAccessKey_Replace)
		r.run(t, "ErrNotFound", testAccessKey_ErrNotFound)
		r.run(t, "ListScopedAndOrdered", testAccessKeys_ScopedAndOrdered)
	})
	runIAM(t, r)
	runAudit(t, r)
	t.Run("Copies", func(t *testing.T) {
		r.run(t, "Secret", testCopies_Secret)
		r.run(t, "Version", testCopies_Version)
		r.run(t, "KMSKey", testCopies_KMSKey)
		r.run(t, "AccessKey", testCopies_AccessKey)
		r.run(t, "WithinTx", testCopies_WithinTx)
	})
	t.Run("Update", func(t *testing.T) {
		r.run(t, "SeesOwnWrites", testUpdate_SeesOwnWrites)
		r.run(t, "RollbackOnError", testUpdate_RollbackOnError)
		r.run(t, "RollbackOnPanic", testUpdate_RollbackOnPanic)
		r.run(t, "Serialized", testUpdate_Serialized)
		r.run(t, "ErrCanceled", testUpdate_ErrCanceled)
		r.run(t, "ErrCanceledDuringFn", testUpdate_ErrCanceledDuringFn)
		r.run(t, "ErrDeadlineWhileWaiting", testUpdate_ErrDeadlineWhileWaiting)
	})
	t.Run("View", func(t *testing.T) {
		r.run(t, "Snapshot", testView_Snapshot)
		r.run(t, "ConsistentDuringUpdates", testView_ConsistentDuringUpdates)
		r.run(t, "ReadOnly", testView_ReadOnly)
		r.run(t, "ReturnsFnError", testView_ReturnsFnError)
		r.run(t, "ErrCanceled", testView_ErrCanceled)
	})
	t.Run("Tx", func(t *testing.T) {
		r.run(t, "ErrCanceled", testTx_ErrCanceled)
	})
}

type runner struct {
	open func(t *testing.T) secrets.Store
}

// run runs test as a parallel subtest of t with a new store.
func (r *runner) run(t *testing.T, name string, test func(t *testing.T, s secrets.Store)) {
	t.Helper()
	t.Run(name, func(t *testing.T) {
		t.Parallel()
		s := r.open(t)
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		test(t, s)
	})
}

// MustUpdate runs fn in s.Update and fails tb if it returns an error.
func MustUpdate(tb testing.TB, s secrets.Store, fn func(secrets.Tx) error) {
	tb.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		tb.Fatalf("Update: %v", err)
	}
}

// MustView runs fn in s.View and fails tb if it returns an error.
func MustView(tb testing.TB, s secrets.Store, fn func(secrets.Tx) error) {
	tb.Helper()
	if err := s.View(context.Background(), fn); err != nil {
		tb.Fatalf("View: %v", err)
	}
}

// MustPutSecret puts each secret in one Update.
func MustPutSecret(tb testing.TB, s secrets.Store, secs ...*secrets.Secret) {
	tb.Helper()
	MustUpdate(tb, s, func(tx secrets.Tx) error {
		for _, sec := range secs {
			if err := tx.PutSecret(context.Background(), sec); err != nil {
				return err
			}
		}
		return nil
	})
}

// MustPutVersion puts each version in one Update.
func MustPutVersion(tb testing.TB, s secrets.Store, vs ...*secrets.Version) {
	tb.Helper()
	MustUpdate(tb, s, func(tx secrets.Tx) error {
		for _, v := range vs {
			if err := tx.PutVersion(context.Background(), v); err != nil {
				return err
			}
		}
		return nil
	})
}

// MustSecretByARN returns the secret with the ARN, read in a View.
func MustSecretByARN(tb testing.TB, s secrets.Store, arn string) *secrets.Secret {
	tb.Helper()
	var sec *secrets.Secret
	MustView(tb, s, func(tx secrets.Tx) (err error) {
		sec, err = tx.SecretByARN(context.Background(), arn)
		return err
	})
	return sec
}

// MustVersion returns the version of the secret, read in a View.
func MustVersion(tb testing.TB, s secrets.Store, secretARN, id string) *secrets.Version {
	tb.Helper()
	var v *secrets.Version
	MustView(tb, s, func(tx secrets.Tx) (err error) {
		v, err = tx.Version(context.Background(), secretARN, id)
		return err
	})
	return v
}

// MustVersions returns the versions of the secret, read in a View.
func MustVersions(tb testing.TB, s secrets.Store, secretARN string) []*secrets.Version {
	tb.Helper()
	var vs []*secrets.Version
	MustView(tb, s, func(tx secrets.Tx) (err error) {
		vs, err = tx.Versions(context.Background(), secretARN)
		return err
	})
	return vs
}

// MustSecrets returns the secrets of the account and region, read in a View.
func MustSecrets(tb testing.TB, s secrets.Store, account, region string) []*secrets.Secret {
	tb.Helper()
	var secs []*secrets.Secret
	MustView(tb, s, func(tx secrets.Tx) (err error) {
		secs, err = tx.Secrets(context.Background(), account, region)
		return err
	})
	return secs
}
