package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/coffer-dev/coffer/internal/identity"
	"github.com/coffer-dev/coffer/internal/keyring"
)

// initCommand creates a data dir.
type initCommand struct {
	stdout, stderr io.Writer
}

func (c *initCommand) Run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("coffer init", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	dataDir := fs.String("data-dir", "", "data directory to create (required)")
	keyFile := fs.String("key-file", "", "root key file to create, outside the data dir (required)")
	accountID := fs.String("account-id", "", "12-digit id of the first account (default: random)")
	listen := fs.String("listen", defaultListen, "address the server will listen on, recorded in the data dir")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dataDir == "" || *keyFile == "" {
		fs.Usage()
		return errors.New("init needs --data-dir and --key-file")
	}
	key, err := initDataDir(ctx, *dataDir, *keyFile, *accountID, *listen)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, `Initialized %s (root key in %s).

Account:               %s
Admin access key id:   %s
Admin secret key:      %s

The secret key is shown only this once. Start the server with:

  coffer server --data-dir %s --key-file %s
`, *dataDir, *keyFile, key.Account, key.AccessKeyID, key.SecretAccessKey, *dataDir, *keyFile)
	return nil
}

// initDataDir creates the data dir, the root key file, the first account
// and its admin access key.
func initDataDir(ctx context.Context, dataDir, keyFile, accountID, listen string) (*identity.AccessKey, error) {
	absData, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, err
	}
	absKey, err := filepath.Abs(keyFile)
	if err != nil {
		return nil, err
	}
	if absKey == absData || strings.HasPrefix(absKey, absData+string(filepath.Separator)) {
		return nil, errors.New("the key file must be outside the data dir: a copy of the data must not carry its key")
	}
	if _, err := os.Stat(filepath.Join(dataDir, dbFile)); err == nil {
		return nil, fmt.Errorf("%s is already initialized", dataDir)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	if err := keyring.GenerateRootKeyFile(keyFile, nil); err != nil {
		return nil, err
	}
	if err := writeConfig(dataDir, dataConfig{Listen: listen}); err != nil {
		return nil, err
	}
	app, err := openApp(ctx, dataDir, keyFile, appOptions{})
	if err != nil {
		return nil, err
	}
	defer app.Close()
	acct, err := app.identity.CreateAccount(ctx, accountID)
	if err != nil {
		return nil, err
	}
	return app.identity.CreateAccessKey(ctx, acct.ID)
}
