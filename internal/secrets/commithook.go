package secrets

import "context"

// CommitHook rides along with a request's context into the first write
// transaction it makes: a Store calls BeforeCommit inside that transaction
// just before committing it (an error rolls the transaction back), and
// Committed once the commit has succeeded. The audit trail uses it so that
// a change and its event commit together.
type CommitHook interface {
	// BeforeCommit writes through tx. It is called for every write
	// transaction made with the context until one commits; a hook that has
	// nothing more to write returns nil.
	BeforeCommit(ctx context.Context, tx Tx) error
	// Committed reports that the transaction BeforeCommit wrote in has
	// committed.
	Committed()
}

type commitHookKey struct{}

// WithCommitHook returns ctx carrying h.
func WithCommitHook(ctx context.Context, h CommitHook) context.Context {
	return context.WithValue(ctx, commitHookKey{}, h)
}

// CommitHookOf returns the hook ctx carries, or nil.
func CommitHookOf(ctx context.Context) CommitHook {
	h, _ := ctx.Value(commitHookKey{}).(CommitHook)
	return h
}
