// Package identity manages accounts and access keys, and looks access keys
// up for request authentication. Secret access keys are stored sealed
// under the root key, bound to their access key id.
package identity

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/big"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coffer-dev/coffer/internal/auth"
	"github.com/coffer-dev/coffer/internal/keyring"
	"github.com/coffer-dev/coffer/internal/secrets"
)

// Errors returned by Manager.
var (
	// ErrAccountExists means an account with the id already exists.
	ErrAccountExists = errors.New("account already exists")
	// ErrBadAccountID means an account id is not 12 digits.
	ErrBadAccountID = errors.New("account id must be 12 digits")
	// ErrNoAccount means the account does not exist.
	ErrNoAccount = errors.New("account does not exist")
)

// Manager creates accounts and access keys and implements auth.Credentials.
type Manager struct {
	Store  secrets.Store
	Root   *keyring.RootKey
	Clock  secrets.Clock
	Random io.Reader // nil means crypto/rand
	// CacheTTL is how long Lookup may answer from memory; zero means
	// DefaultCacheTTL, negative turns the cache off. A key made inactive
	// elsewhere (another replica, or an offline admin command) stops
	// working within this time, much as IAM changes on AWS take seconds to
	// be seen.
	CacheTTL time.Duration

	mu    sync.Mutex
	cache map[string]cachedKey
	// forgets counts Forget calls: a lookup that raced with one does not
	// cache what it read, which may be the key as it was before.
	forgets atomic.Uint64
}

// DefaultCacheTTL is Lookup's default cache lifetime.
const DefaultCacheTTL = 5 * time.Second

// maxCached bounds the lookup cache; past it, the cache starts over.
const maxCached = 10000

type cachedKey struct {
	id      auth.Identity
	secret  []byte
	expires time.Time
}

var _ auth.Credentials = (*Manager)(nil)

// AccessKey is a newly created access key pair. SecretAccessKey is shown
// once, when the key is created, and never stored in plaintext.
type AccessKey struct {
	AccessKeyID     string
	SecretAccessKey string
	Account         string
	Principal       string
	CreatedAt       time.Time
}

var accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)

// RootPrincipal returns the ARN of an account's root principal.
func RootPrincipal(account string) string { return "arn:aws:iam::" + account + ":root" }

func (m *Manager) random() io.Reader {
	if m.Random == nil {
		return rand.Reader
	}
	return m.Random
}

// NewAccountID returns a random 12-digit account id.
func (m *Manager) NewAccountID() (string, error) {
	n, err := rand.Int(m.random(), big.NewInt(1_000_000_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%012d", n), nil
}

// CreateAccount creates an account; an empty id means a random one.
func (m *Manager) CreateAccount(ctx context.Context, id string) (*secrets.Account, error) {
	if id == "" {
		var err error
		if id, err = m.NewAccountID(); err != nil {
			return nil, err
		}
	}
	if !accountIDPattern.MatchString(id) {
		return nil, ErrBadAccountID
	}
	a := &secrets.Account{ID: id, CreatedAt: m.Clock.Now().UTC()}
	err := m.Store.Update(ctx, func(tx secrets.Tx) error {
		if _, err := tx.Account(ctx, id); err == nil {
			return ErrAccountExists
		} else if !errors.Is(err, secrets.ErrNotFound) {
			return err
		}
		return tx.PutAccount(ctx, a)
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// CreateAccessKey creates an access key for the account's root principal.
func (m *Manager) CreateAccessKey(ctx context.Context, account string) (*AccessKey, error) {
	var key *AccessKey
	err := m.Store.Update(ctx, func(tx secrets.Tx) error {
		if _, err := tx.Account(ctx, account); errors.Is(err, secrets.ErrNotFound) {
			return ErrNoAccount
		} else if err != nil {
			return err
		}
		var err error
		key, err = m.IssueAccessKey(ctx, tx, account, RootPrincipal(account))
		return err
	})
	if err != nil {
		return nil, err
	}
	return key, nil
}

// IssueAccessKey creates an active access key that acts as principal (the
// account's root or one of its IAM users) in the caller's transaction, and
// returns it with its secret, which is stored only sealed under the root
// key. The caller checks that the principal exists and may have another
// key.
func (m *Manager) IssueAccessKey(ctx context.Context, tx secrets.Tx, account, principal string) (*AccessKey, error) {
	id, secret, err := secrets.NewAccessKey(m.random(), "AKIA")
	if err != nil {
		return nil, err
	}
	key := &AccessKey{AccessKeyID: id, SecretAccessKey: secret, Account: account, Principal: principal, CreatedAt: m.Clock.Now().UTC()}
	err = tx.PutAccessKey(ctx, &secrets.AccessKey{
		ID: id, Account: account, Principal: principal, Status: StatusActive,
		SealedSecret: m.Root.Seal([]byte(secret), accessKeyAAD(id)),
		CreatedAt:    key.CreatedAt,
	})
	if err != nil {
		return nil, err
	}
	return key, nil
}

// Access key statuses.
const (
	StatusActive   = "Active"
	StatusInactive = "Inactive"
)

// SetAccessKeyStatus makes the access key with this id Active or Inactive
// in the caller's transaction. It fails with an error wrapping
// secrets.ErrNotFound when there is no such key. Call Forget after the
// transaction commits, so that this process stops answering from its cache
// at once.
func (m *Manager) SetAccessKeyStatus(ctx context.Context, tx secrets.Tx, id, status string) error {
	if status != StatusActive && status != StatusInactive {
		return fmt.Errorf("access key status %q: want %s or %s", status, StatusActive, StatusInactive)
	}
	k, err := tx.AccessKey(ctx, id)
	if err != nil {
		return err
	}
	if k.Status == status {
		return nil
	}
	k.Status = status
	return tx.PutAccessKey(ctx, k)
}

// DeleteAccessKey removes the access key with this id in the caller's
// transaction; removing a missing one is not an error. Call Forget after
// the transaction commits.
func (m *Manager) DeleteAccessKey(ctx context.Context, tx secrets.Tx, id string) error {
	return tx.DeleteAccessKey(ctx, id)
}

// AccessKeysOf returns the access keys that act as principal, oldest
// first, read in the caller's transaction. Their secrets stay sealed.
func (m *Manager) AccessKeysOf(ctx context.Context, tx secrets.Tx, principal string) ([]*secrets.AccessKey, error) {
	return tx.AccessKeysByPrincipal(ctx, principal)
}

// Lookup implements auth.Credentials. Only active keys are cached; an
// unknown key is looked up every time.
func (m *Manager) Lookup(ctx context.Context, accessKeyID string) (auth.Identity, []byte, error) {
	ttl := m.CacheTTL
	if ttl == 0 {
		ttl = DefaultCacheTTL
	}
	now := m.Clock.Now()
	if ttl > 0 {
		m.mu.Lock()
		c, ok := m.cache[accessKeyID]
		m.mu.Unlock()
		if ok && now.Before(c.expires) {
			return c.id, c.secret, nil
		}
	}
	gen := m.forgets.Load()
	id, secret, err := m.lookup(ctx, accessKeyID)
	if err != nil || ttl < 0 {
		return id, secret, err
	}
	m.mu.Lock()
	if m.forgets.Load() != gen {
		m.mu.Unlock()
		return id, secret, nil
	}
	if m.cache == nil || len(m.cache) >= maxCached {
		m.cache = make(map[string]cachedKey)
	}
	m.cache[accessKeyID] = cachedKey{id: id, secret: secret, expires: now.Add(ttl)}
	m.mu.Unlock()
	return id, secret, nil
}

// Forget drops an access key from the lookup cache, for callers that
// change or delete it in this process.
func (m *Manager) Forget(accessKeyID string) {
	m.mu.Lock()
	m.forgets.Add(1)
	delete(m.cache, accessKeyID)
	m.mu.Unlock()
}

func (m *Manager) lookup(ctx context.Context, accessKeyID string) (auth.Identity, []byte, error) {
	var k *secrets.AccessKey
	err := m.Store.View(ctx, func(tx secrets.Tx) error {
		var err error
		k, err = tx.AccessKey(ctx, accessKeyID)
		return err
	})
	if errors.Is(err, secrets.ErrNotFound) || err == nil && k.Status != StatusActive {
		return auth.Identity{}, nil, fmt.Errorf("access key: %w", auth.ErrUnknownAccessKey)
	}
	if err != nil {
		return auth.Identity{}, nil, err
	}
	secret, err := m.Root.Open(k.SealedSecret, accessKeyAAD(k.ID))
	if err != nil {
		return auth.Identity{}, nil, fmt.Errorf("open access key %s: %w", k.ID, err)
	}
	return auth.Identity{AccessKeyID: k.ID, Account: k.Account, Principal: k.Principal}, secret, nil
}

// Accounts returns every account.
func (m *Manager) Accounts(ctx context.Context) ([]*secrets.Account, error) {
	var out []*secrets.Account
	err := m.Store.View(ctx, func(tx secrets.Tx) error {
		var err error
		out, err = tx.Accounts(ctx)
		return err
	})
	return out, err
}

func accessKeyAAD(id string) []byte { return []byte("coffer/access-key/v1\x00" + id) }

// RewrapAccessKey re-seals k's secret, sealed under from, under to. It
// changes k in place and stores nothing; it fails, changing nothing, if the
// secret does not open under from.
func RewrapAccessKey(k *secrets.AccessKey, from, to *keyring.RootKey) error {
	secret, err := from.Open(k.SealedSecret, accessKeyAAD(k.ID))
	if err != nil {
		return fmt.Errorf("access key %s: %w", k.ID, err)
	}
	defer clear(secret)
	k.SealedSecret = to.Seal(secret, accessKeyAAD(k.ID))
	return nil
}
