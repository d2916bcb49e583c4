package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/coffer-dev/coffer/internal/access"
	"github.com/coffer-dev/coffer/internal/audit"
	"github.com/coffer-dev/coffer/internal/iam"
	"github.com/coffer-dev/coffer/internal/identity"
	"github.com/coffer-dev/coffer/internal/keyring"
	"github.com/coffer-dev/coffer/internal/kms"
	"github.com/coffer-dev/coffer/internal/secrets"
	"github.com/coffer-dev/coffer/internal/store/sqlite"
	"github.com/coffer-dev/coffer/internal/sts"
)

const (
	dbFile        = "coffer.db"
	configFile    = "coffer.json"
	defaultListen = "127.0.0.1:8787"
	defaultRegion = "us-east-1"
)

// dataConfig is the small configuration kept in the data dir.
type dataConfig struct {
	Listen  string         `json:"listen,omitempty"`
	RootKey *rootKeyConfig `json:"root_key,omitempty"` // how the root key is held; see rootkey.go
}

func writeConfig(dataDir string, cfg dataConfig) error {
	b, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dataDir, configFile), append(b, '\n'), 0o600)
}

func readConfig(dataDir string) (dataConfig, error) {
	var cfg dataConfig
	b, err := os.ReadFile(filepath.Join(dataDir, configFile))
	if errors.Is(err, os.ErrNotExist) {
		return cfg, nil
	}
	if err != nil {
		return cfg, err
	}
	return cfg, json.Unmarshal(b, &cfg)
}

// app is the wired program: store, keys, identities and the secrets service.
type app struct {
	store    *sqlite.Store
	keyring  *keyring.Keyring
	identity *identity.Manager
	secrets  *secrets.Service
	kms      *kms.Service
	iam      *iam.Service
	sts      *sts.Service
	creds    credentials // what SigV4 verification looks keys up in
	// authorizer decides every service's authorization questions.
	authorizer *access.Authorizer
	audit      *audit.Log // the audit trail, chained under root.Derive("audit-chain")
	clock      secrets.Clock
	logger     *slog.Logger
	rootKeys   *rootKeys // how the root key is held (rotate-root-key)
	lock       *os.File  // the data dir's lock, held until Close
}

type appOptions struct {
	clock  secrets.Clock
	logger *slog.Logger
	root   rootFlags // where the root key comes from (keyFile fills root.keyFile)
}

// openApp opens a data dir with its root key.
func openApp(ctx context.Context, dataDir, keyFile string, o appOptions) (*app, error) {
	if fi, err := os.Stat(dataDir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("data dir %s does not exist: run coffer init first", dataDir)
	}
	o.root.keyFile = cmpOr(keyFile, o.root.keyFile)
	if o.root.keyFile != "" {
		absData, err := filepath.Abs(dataDir)
		if err != nil {
			return nil, err
		}
		if err := keyFileOutside(absData, o.root.keyFile); err != nil {
			return nil, err
		}
	}
	st, root, rk, lock, err := openStore(ctx, dataDir, o.root)
	if err != nil {
		return nil, err
	}
	clk := o.clock
	if clk == nil {
		clk = secrets.SystemClock{}
	}
	logger := o.logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	kr := keyring.New(root, clk, nil)
	ids := &identity.Manager{Store: st, Root: root, Clock: clk}
	iamSvc := &iam.Service{Store: st, Keys: ids, Clock: clk}
	dir := directory{iam: iamSvc, store: st}
	// One authorizer, one policy engine, for every service.
	az := &access.Authorizer{Directory: dir, Clock: clk}
	iamSvc.Authorizer = az
	stsSvc := &sts.Service{Root: root, Clock: clk, Directory: dir, Authorizer: az}
	return &app{
		store:    st,
		keyring:  kr,
		identity: ids,
		secrets: &secrets.Service{
			Store: st, Sealer: kr, Clock: clk, Logger: logger,
			TokenKey:   root.Derive("pagination-token"),
			Authorizer: az,
		},
		kms:        &kms.Service{Store: st, Keyring: kr, Clock: clk, Logger: logger, Authorizer: az},
		iam:        iamSvc,
		sts:        stsSvc,
		creds:      credentials{keys: ids, sessions: stsSvc},
		authorizer: az,
		audit:      &audit.Log{Store: st, Key: root.Derive("audit-chain"), Clock: clk, Logger: logger},
		clock:      clk,
		logger:     logger,
		rootKeys:   rk,
		lock:       lock,
	}, nil
}

// Close closes the store and releases the data dir.
func (a *app) Close() error {
	err := a.store.Close()
	a.lock.Close()
	return err
}
