package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"golang.org/x/term"

	"github.com/coffer-dev/coffer/internal/identity"
	"github.com/coffer-dev/coffer/internal/keyring"
	"github.com/coffer-dev/coffer/internal/secrets"
	"github.com/coffer-dev/coffer/internal/store/sqlite"
)

// How the root key is held. The choice is made by coffer init and recorded
// in coffer.json (rootKeyConfig); what changes when the key is rotated (the
// check value and the wrapped key) is in root-key.json (rootState).
//
// Refusing a wrong key without writing anything: root-key.json carries a
// check value (a known plaintext sealed under the root key). Every open
// verifies the key against it before the database is opened, so a wrong key
// file, passphrase or KMS answer is refused before SQLite could create a
// -wal or -shm file or apply a migration. The database carries the same
// kind of check as its meta value "root-key-check", verified after the
// store opens; it is the one rotate-root-key changes in the transaction
// that rewraps everything, so it says which key the data is under.
//
// Crash-safe rotation (see rotateRootKey): the new key's holder is written
// beside the old one (root-key.json.new, and for a key file K, K.new),
// fsynced, then one store transaction rewraps everything and replaces the
// database's check, then the new holder is renamed over the old. On open,
// a key is accepted when it opens the check of root-key.json or of
// root-key.json.new; the database's check then picks the one the data is
// under, and an interrupted switch is finished (or an uncommitted one
// discarded).
const (
	rootStateFile = "root-key.json"
	pendingSuffix = ".new"
	lockFile      = "coffer.lock"
	metaRootCheck = "root-key-check"

	holderFile       = "file"
	holderPassphrase = "passphrase"
	holderKMS        = "kms"

	passphraseEnv = "COFFER_PASSPHRASE"
	minPassphrase = 8
)

// rootKeyConfig records in coffer.json how the root key is held.
type rootKeyConfig struct {
	Holder      string `json:"holder"` // file, passphrase or kms
	KMSEndpoint string `json:"kms_endpoint,omitempty"`
	KMSKeyID    string `json:"kms_key_id,omitempty"`
	KMSRegion   string `json:"kms_region,omitempty"`
}

// rootState is root-key.json: the root key's check value and, unless the
// key is in a key file, the root key in wrapped form. None of it is secret.
type rootState struct {
	Version    int                       `json:"version"`
	Holder     string                    `json:"holder"`
	Check      []byte                    `json:"check"`
	Passphrase *keyring.PassphraseParams `json:"passphrase,omitempty"`
	Wrapped    []byte                    `json:"wrapped,omitempty"`
}

// rootFlags are the flags that say where the root key (or what unlocks it)
// comes from, for server and admin commands.
type rootFlags struct {
	keyFile        string
	passphraseFile string
	passphraseFD   string // a file descriptor number; "" when not given
	kmsEndpoint    string
	passphrase     []byte // already read (by init), used before any source
}

func (f *rootFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.keyFile, "key-file", "", "root key file (for a data dir whose root key is in a file; must not be readable by group or others)")
	fs.StringVar(&f.passphraseFile, "passphrase-file", "", "file holding the root key passphrase (otherwise $"+passphraseEnv+", --passphrase-fd, or a prompt on a terminal)")
	fs.StringVar(&f.passphraseFD, "passphrase-fd", "", "file descriptor to read the root key passphrase from")
	fs.StringVar(&f.kmsEndpoint, "root-kms-endpoint", "", "override the KMS endpoint recorded by init for a KMS-wrapped root key")
}

// readPassphrase returns the passphrase from the first source given:
// --passphrase-file, --passphrase-fd, $COFFER_PASSPHRASE, else a prompt on
// the terminal (twice when confirm). One trailing newline is dropped.
func (f *rootFlags) readPassphrase(confirm bool) ([]byte, error) {
	trim := func(b []byte) []byte {
		b = bytes.TrimSuffix(b, []byte("\n"))
		return bytes.TrimSuffix(b, []byte("\r"))
	}
	var p []byte
	switch {
	case f.passphrase != nil:
		return f.passphrase, nil
	case f.passphraseFile != "":
		b, err := os.ReadFile(f.passphraseFile)
		if err != nil {
			return nil, fmt.Errorf("read passphrase file: %w", err)
		}
		p = trim(b)
	case f.passphraseFD != "":
		fd, err := strconv.Atoi(f.passphraseFD)
		if err != nil || fd < 0 {
			return nil, fmt.Errorf("--passphrase-fd %q is not a file descriptor number", f.passphraseFD)
		}
		file := os.NewFile(uintptr(fd), "passphrase-fd")
		if file == nil {
			return nil, fmt.Errorf("--passphrase-fd %d is not open", fd)
		}
		b, err := io.ReadAll(io.LimitReader(file, 64<<10))
		file.Close()
		if err != nil {
			return nil, fmt.Errorf("read passphrase from fd %d: %w", fd, err)
		}
		p = trim(b)
	case os.Getenv(passphraseEnv) != "":
		p = []byte(os.Getenv(passphraseEnv))
	case term.IsTerminal(int(os.Stdin.Fd())):
		fmt.Fprint(os.Stderr, "Root key passphrase: ")
		b, err := term.ReadPassword(int(os.Stdin.Fd()))
		fmt.Fprintln(os.Stderr)
		if err != nil {
			return nil, fmt.Errorf("read passphrase: %w", err)
		}
		if confirm {
			fmt.Fprint(os.Stderr, "Again: ")
			again, err := term.ReadPassword(int(os.Stdin.Fd()))
			fmt.Fprintln(os.Stderr)
			if err != nil {
				return nil, fmt.Errorf("read passphrase: %w", err)
			}
			if !bytes.Equal(b, again) {
				return nil, errors.New("the passphrases differ")
			}
		}
		p = b
	default:
		return nil, errors.New("the root key is behind a passphrase: give it in $" + passphraseEnv + ", --passphrase-fd or --passphrase-file, or run on a terminal")
	}
	if len(p) == 0 {
		return nil, errors.New("empty passphrase")
	}
	return p, nil
}

// holder reads and writes the root key in one of the three forms.
type holder interface {
	// load returns the root key that st (root-key.json, or the pending
	// root-key.json.new when pending) holds.
	load(ctx context.Context, st *rootState, pending bool) (*keyring.RootKey, error)
	// prepare returns the state that holds k, writing any file it needs
	// beside the current one (as pending).
	prepare(ctx context.Context, k *keyring.RootKey) (*rootState, error)
	// promote makes what prepare wrote outside root-key.json current.
	promote() error
	// discard removes what prepare wrote outside root-key.json, unless it
	// holds keep.
	discard(keep *keyring.RootKey)
}

func newHolder(ctx context.Context, cfg *rootKeyConfig, rf rootFlags) (holder, error) {
	switch cfg.Holder {
	case holderFile:
		if rf.keyFile == "" {
			return nil, errors.New("this data dir's root key is in a key file: give --key-file")
		}
		// Through a symlink, the key file is its target: a rotation
		// writes beside the target and renames over it, so the link
		// keeps pointing at the current key.
		path := rf.keyFile
		if real, err := filepath.EvalSymlinks(path); err == nil {
			path = real
		}
		return &fileHolder{path: path}, nil
	case holderPassphrase:
		return &passphraseHolder{flags: rf}, nil
	case holderKMS:
		endpoint := cmpOr(rf.kmsEndpoint, cfg.KMSEndpoint)
		w, err := newKMSWrapper(ctx, endpoint, cfg.KMSRegion, cfg.KMSKeyID)
		if err != nil {
			return nil, err
		}
		return &kmsHolder{w: w}, nil
	}
	return nil, fmt.Errorf("%s: unknown root key holder %q", configFile, cfg.Holder)
}

// fileHolder keeps the root key in a key file outside the data dir; a
// rotation writes the new key to path+".new".
type fileHolder struct{ path string }

func (h *fileHolder) load(_ context.Context, _ *rootState, pending bool) (*keyring.RootKey, error) {
	if pending {
		return keyring.LoadRootKey(h.path + pendingSuffix)
	}
	return keyring.LoadRootKey(h.path)
}

func (h *fileHolder) prepare(_ context.Context, k *keyring.RootKey) (*rootState, error) {
	next := h.path + pendingSuffix
	if err := os.Remove(next); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if err := keyring.WriteRootKeyFile(next, k); err != nil {
		return nil, err
	}
	// The new file takes the old one's owner, so that the user the server
	// runs as can still read it when an administrator rotates as root.
	if fi, err := os.Stat(h.path); err == nil {
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && os.Geteuid() == 0 {
			if err := os.Chown(next, int(st.Uid), int(st.Gid)); err != nil {
				return nil, fmt.Errorf("give the new key file its owner: %w", err)
			}
		}
	}
	return &rootState{Holder: holderFile}, syncDir(filepath.Dir(next))
}

func (h *fileHolder) promote() error {
	if _, err := os.Stat(h.path + pendingSuffix); errors.Is(err, os.ErrNotExist) {
		return nil // promoted already
	}
	if err := os.Rename(h.path+pendingSuffix, h.path); err != nil {
		return fmt.Errorf("switch key file: %w", err)
	}
	return syncDir(filepath.Dir(h.path))
}

func (h *fileHolder) discard(keep *keyring.RootKey) {
	if k, err := keyring.LoadRootKey(h.path + pendingSuffix); err == nil && k.Equal(keep) {
		return
	}
	os.Remove(h.path + pendingSuffix)
}

// passphraseHolder keeps the root key in root-key.json, wrapped by a key
// derived from a passphrase with argon2id.
type passphraseHolder struct {
	flags      rootFlags
	passphrase []byte
}

func (h *passphraseHolder) get() ([]byte, error) {
	if h.passphrase == nil {
		p, err := h.flags.readPassphrase(false)
		if err != nil {
			return nil, err
		}
		h.passphrase = p
	}
	return h.passphrase, nil
}

func (h *passphraseHolder) load(ctx context.Context, st *rootState, _ bool) (*keyring.RootKey, error) {
	if st.Passphrase == nil {
		return nil, fmt.Errorf("%s has no passphrase parameters", rootStateFile)
	}
	p, err := h.get()
	if err != nil {
		return nil, err
	}
	w, err := keyring.NewPassphraseWrapper(p, *st.Passphrase)
	if err != nil {
		return nil, err
	}
	return keyring.UnwrapRootKey(ctx, w, st.Wrapped)
}

func (h *passphraseHolder) prepare(ctx context.Context, k *keyring.RootKey) (*rootState, error) {
	p, err := h.get()
	if err != nil {
		return nil, err
	}
	params, err := keyring.DefaultPassphraseParams(nil)
	if err != nil {
		return nil, err
	}
	w, err := keyring.NewPassphraseWrapper(p, params)
	if err != nil {
		return nil, err
	}
	wrapped, err := k.Wrap(ctx, w)
	if err != nil {
		return nil, err
	}
	return &rootState{Holder: holderPassphrase, Passphrase: &params, Wrapped: wrapped}, nil
}

func (*passphraseHolder) promote() error           { return nil }
func (*passphraseHolder) discard(*keyring.RootKey) {}

// kmsHolder keeps the root key in root-key.json, wrapped by an external
// KMS (AWS KMS or another Coffer).
type kmsHolder struct{ w *kmsWrapper }

func (h *kmsHolder) load(ctx context.Context, st *rootState, _ bool) (*keyring.RootKey, error) {
	return keyring.UnwrapRootKey(ctx, h.w, st.Wrapped)
}

func (h *kmsHolder) prepare(ctx context.Context, k *keyring.RootKey) (*rootState, error) {
	wrapped, err := k.Wrap(ctx, h.w)
	if err != nil {
		return nil, err
	}
	return &rootState{Holder: holderKMS, Wrapped: wrapped}, nil
}

func (*kmsHolder) promote() error           { return nil }
func (*kmsHolder) discard(*keyring.RootKey) {}

// kmsEncryptionContext is bound to the wrapped root key at the external
// KMS: the blob decrypts only when it is given again.
var kmsEncryptionContext = map[string]string{"coffer:purpose": "root-key"}

// kmsWrapper is a keyring.KeyWrapper that calls an external KMS's Encrypt
// and Decrypt with the standard AWS credentials of the environment.
type kmsWrapper struct {
	client *kms.Client
	keyID  string
}

var _ keyring.KeyWrapper = (*kmsWrapper)(nil)

func newKMSWrapper(ctx context.Context, endpoint, region, keyID string) (*kmsWrapper, error) {
	if keyID == "" {
		return nil, errors.New("a KMS-wrapped root key needs --root-kms-key-id")
	}
	var opts []func(*config.LoadOptions) error
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("root key KMS: load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = defaultRegion
	}
	client := kms.NewFromConfig(cfg, func(o *kms.Options) {
		if endpoint != "" {
			o.BaseEndpoint = &endpoint
		}
	})
	return &kmsWrapper{client: client, keyID: keyID}, nil
}

func (w *kmsWrapper) WrapKey(ctx context.Context, material []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := w.client.Encrypt(ctx, &kms.EncryptInput{KeyId: &w.keyID, Plaintext: material, EncryptionContext: kmsEncryptionContext})
	if err != nil {
		return nil, fmt.Errorf("root key KMS: Encrypt under %s: %w", w.keyID, err)
	}
	return out.CiphertextBlob, nil
}

func (w *kmsWrapper) UnwrapKey(ctx context.Context, wrapped []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := w.client.Decrypt(ctx, &kms.DecryptInput{KeyId: &w.keyID, CiphertextBlob: wrapped, EncryptionContext: kmsEncryptionContext})
	if err != nil {
		return nil, fmt.Errorf("root key KMS: Decrypt with %s: %w", w.keyID, err)
	}
	return out.Plaintext, nil
}

// readState reads root-key.json (or its pending copy). A missing file is
// (nil, nil).
func readState(path string) (*rootState, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var st rootState
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	if st.Version != 1 || len(st.Check) == 0 {
		return nil, fmt.Errorf("%s: not a version 1 root key state", filepath.Base(path))
	}
	return &st, nil
}

// writeState replaces the file at path with st atomically: it writes and
// fsyncs path+".tmp", renames it over path and fsyncs the directory, so a
// crash leaves the old file or the new one, never a part.
func writeState(path string, st *rootState) error {
	st.Version = 1
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileSync(path+".tmp", append(b, '\n')); err != nil {
		return err
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

func writeFileSync(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// lockDataDir takes the data dir's lock without blocking, so that no two
// processes (a server and rotate-root-key, say) use it at once. It creates
// the lock file if create is set. The lock ends with the process or when
// the returned file is closed.
func lockDataDir(dataDir string, create bool) (*os.File, error) {
	flags := os.O_RDONLY
	if create {
		flags |= os.O_CREATE
	}
	f, err := os.OpenFile(filepath.Join(dataDir, lockFile), flags, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("data dir %s is in use by another coffer process (a server or an admin command): stop it first", dataDir)
		}
		return nil, fmt.Errorf("lock data dir: %w", err)
	}
	return f, nil
}

// rootKeys is the outcome of unlocking a data dir before its store opens.
type rootKeys struct {
	holder  holder
	current *rootState // root-key.json; nil for a data dir made before root-key.json
	pending *rootState // root-key.json.new, when a rotation was interrupted
	keys    []*keyring.RootKey
}

// unlockRoot finds the root key candidates of a data dir and keeps those
// that open the check of root-key.json or of root-key.json.new. It reads
// only: a wrong key, passphrase or KMS is refused before anything is
// opened for writing.
func unlockRoot(ctx context.Context, dataDir string, cfg dataConfig, rf rootFlags) (*rootKeys, error) {
	rc := cfg.RootKey
	if rc == nil {
		rc = &rootKeyConfig{Holder: holderFile} // a data dir from before the choice
	}
	h, err := newHolder(ctx, rc, rf)
	if err != nil {
		return nil, err
	}
	statePath := filepath.Join(dataDir, rootStateFile)
	cur, err := readState(statePath)
	if err != nil {
		return nil, err
	}
	// A pending state that does not parse was cut short before the
	// rotation's commit; it is ignored (and removed once the store opens).
	pend, _ := readState(statePath + pendingSuffix)
	rk := &rootKeys{holder: h, current: cur, pending: pend}
	if cur == nil {
		if rc.Holder != holderFile {
			return nil, fmt.Errorf("%s is missing from %s", rootStateFile, dataDir)
		}
		k, err := h.load(ctx, nil, false)
		if err != nil {
			return nil, err
		}
		rk.keys = []*keyring.RootKey{k} // checked against the store once it opens
		return rk, nil
	}
	var firstErr error
	try := func(st *rootState, pending bool) {
		if st == nil {
			return
		}
		k, err := h.load(ctx, st, pending)
		if err != nil {
			if firstErr == nil && !pending {
				firstErr = err
			}
			return
		}
		for _, have := range rk.keys {
			if have.Equal(k) {
				return
			}
		}
		for _, check := range [][]byte{cur.Check, checkOf(pend)} {
			if check != nil && k.VerifyCheck(check) == nil {
				rk.keys = append(rk.keys, k)
				return
			}
		}
	}
	try(cur, false)
	// The pending key: for a key file, K.new exists whether or not
	// root-key.json.new does (the key file is switched first).
	if pend != nil {
		try(pend, true)
	} else if rc.Holder == holderFile {
		try(cur, true)
	}
	if len(rk.keys) == 0 {
		if firstErr != nil {
			return nil, firstErr
		}
		switch rc.Holder {
		case holderFile:
			return nil, fmt.Errorf("%s: %w (is it the key file this data dir was made with, or the one before a rotate-root-key?)", rf.keyFile, keyring.ErrWrongRootKey)
		case holderKMS:
			return nil, fmt.Errorf("the key the external KMS unwrapped: %w", keyring.ErrWrongRootKey)
		}
		return nil, keyring.ErrWrongRootKey
	}
	return rk, nil
}

func checkOf(st *rootState) []byte {
	if st == nil {
		return nil
	}
	return st.Check
}

// settle picks, among the unlocked keys, the one the store's data is under
// (its meta check), finishing an interrupted switch to it or discarding an
// uncommitted one, and records the check where it is missing. It runs
// with the data dir locked.
func (rk *rootKeys) settle(ctx context.Context, dataDir string, st *sqlite.Store) (*keyring.RootKey, error) {
	var dbCheck []byte
	err := st.View(ctx, func(tx secrets.Tx) error {
		var err error
		dbCheck, err = tx.Meta(ctx, metaRootCheck)
		if errors.Is(err, secrets.ErrNotFound) {
			return nil
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read root key check: %w", err)
	}
	statePath := filepath.Join(dataDir, rootStateFile)
	if dbCheck == nil {
		// First open of this store: the key is the one root-key.json
		// holds (nothing was rotated without a check in the store).
		var root *keyring.RootKey
		for _, k := range rk.keys {
			if rk.current == nil || k.VerifyCheck(rk.current.Check) == nil {
				root = k
			}
		}
		if root == nil {
			return nil, fmt.Errorf("the root key does not open %s: %w", rootStateFile, keyring.ErrWrongRootKey)
		}
		if rk.current == nil {
			if err := verifyLegacy(ctx, st, root); err != nil {
				return nil, err
			}
		}
		if err := st.Update(ctx, func(tx secrets.Tx) error { return tx.PutMeta(ctx, metaRootCheck, root.Check()) }); err != nil {
			return nil, fmt.Errorf("record root key check: %w", err)
		}
		if rk.current == nil {
			if err := writeState(statePath, &rootState{Holder: holderFile, Check: root.Check()}); err != nil {
				return nil, err
			}
		}
		rk.discardPending(statePath, root)
		return root, nil
	}
	for _, k := range rk.keys {
		if k.VerifyCheck(dbCheck) != nil {
			continue
		}
		if rk.current != nil && k.VerifyCheck(rk.current.Check) != nil {
			// The store was rewrapped under the pending key, but the
			// switch to it did not finish: finish it.
			if err := rk.holder.promote(); err != nil {
				return nil, err
			}
			if rk.pending != nil {
				if err := os.Rename(statePath+pendingSuffix, statePath); err != nil {
					return nil, fmt.Errorf("finish root key switch: %w", err)
				}
				if err := syncDir(dataDir); err != nil {
					return nil, err
				}
			}
			return k, nil
		}
		if rk.current == nil {
			// A data dir from before root-key.json: record it.
			if err := writeState(statePath, &rootState{Holder: holderFile, Check: k.Check()}); err != nil {
				return nil, err
			}
		}
		rk.discardPending(statePath, k)
		return k, nil
	}
	return nil, fmt.Errorf("the root key opens %s but not the database (%s and the database come from different data dirs or times): %w",
		rootStateFile, rootStateFile, keyring.ErrWrongRootKey)
}

// discardPending removes what an uncommitted rotation left behind.
func (rk *rootKeys) discardPending(statePath string, keep *keyring.RootKey) {
	os.Remove(statePath + ".tmp")
	os.Remove(statePath + pendingSuffix + ".tmp")
	os.Remove(statePath + pendingSuffix)
	rk.holder.discard(keep)
}

// verifyLegacy checks a root key against a store that has no check value
// yet (made before there was one) by opening its access keys' secrets.
func verifyLegacy(ctx context.Context, st *sqlite.Store, root *keyring.RootKey) error {
	return st.View(ctx, func(tx secrets.Tx) error {
		accounts, err := tx.Accounts(ctx)
		if err != nil {
			return err
		}
		for _, a := range accounts {
			keys, err := tx.AccessKeys(ctx, a.ID)
			if err != nil {
				return err
			}
			for _, k := range keys {
				if err := identity.RewrapAccessKey(k, root, root); err != nil {
					return fmt.Errorf("%w (%v)", keyring.ErrWrongRootKey, err)
				}
			}
		}
		return nil
	})
}

// openStore locks the data dir, unlocks its root key (refusing a wrong one
// before the database is opened), opens the store and settles which key
// the data is under. The lock is held until the returned file is closed.
func openStore(ctx context.Context, dataDir string, rf rootFlags) (*sqlite.Store, *keyring.RootKey, *rootKeys, *os.File, error) {
	cfg, err := readConfig(dataDir)
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("read %s: %w", configFile, err)
	}
	// The lock file is made by init; a data dir from before it gets one
	// once its key is known to be right.
	lock, err := lockDataDir(dataDir, false)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil, nil, err
	}
	rk, err := unlockRoot(ctx, dataDir, cfg, rf)
	if err != nil {
		lock.Close()
		return nil, nil, nil, nil, err
	}
	if lock == nil {
		if lock, err = lockDataDir(dataDir, true); err != nil {
			return nil, nil, nil, nil, err
		}
	}
	st, err := sqlite.Open(filepath.Join(dataDir, dbFile), sqlite.DefaultOptions())
	if err != nil {
		lock.Close()
		return nil, nil, nil, nil, fmt.Errorf("open store: %w", err)
	}
	root, err := rk.settle(ctx, dataDir, st)
	if err != nil {
		st.Close()
		lock.Close()
		return nil, nil, nil, nil, err
	}
	return st, root, rk, lock, nil
}
