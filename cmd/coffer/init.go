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
	accountID := fs.String("account-id", "", "12-digit id of the first account (default: random)")
	listen := fs.String("listen", defaultListen, "address the server will listen on, recorded in the data dir")
	holder := fs.String("root-key", holderFile, "how the root key is held: file (in --key-file), passphrase (wrapped by an argon2id key from a passphrase), or kms (wrapped by an external KMS)")
	var rf rootFlags
	rf.register(fs)
	fs.Lookup("key-file").Usage = "with --root-key file: the root key file to create, outside the data dir"
	fs.Lookup("root-kms-endpoint").Usage = "with --root-key kms: the external KMS's endpoint URL (omit for AWS KMS), recorded in the data dir"
	var rc rootKeyConfig
	fs.StringVar(&rc.KMSKeyID, "root-kms-key-id", "", "with --root-key kms: the external KMS key (id, ARN or alias) that wraps the root key")
	fs.StringVar(&rc.KMSRegion, "root-kms-region", "", "with --root-key kms: the external KMS's region (default: the AWS environment's, else "+defaultRegion+")")
	if err := fs.Parse(args); err != nil {
		return err
	}
	rc.Holder, rc.KMSEndpoint = *holder, rf.kmsEndpoint
	if *dataDir == "" || rc.Holder == holderFile && rf.keyFile == "" {
		fs.Usage()
		return errors.New("init needs --data-dir, and --key-file unless --root-key is passphrase or kms")
	}
	key, err := initDataDirWith(ctx, *dataDir, *accountID, *listen, rc, rf)
	if err != nil {
		return err
	}
	var where, start string
	switch rc.Holder {
	case holderFile:
		where = "root key in " + rf.keyFile
		start = "--key-file " + rf.keyFile
	case holderPassphrase:
		where = "root key wrapped under your passphrase"
		start = "(with the passphrase in $" + passphraseEnv + ", --passphrase-fd, --passphrase-file, or typed at the prompt)"
	case holderKMS:
		where = "root key wrapped by KMS key " + rc.KMSKeyID
		start = "(with AWS credentials for that KMS in the environment)"
	}
	fmt.Fprintf(c.stdout, `Initialized %s (%s).

Account:               %s
Admin access key id:   %s
Admin secret key:      %s

The secret key is shown only this once. Start the server with:

  coffer server --data-dir %s %s
`, *dataDir, where, key.Account, key.AccessKeyID, key.SecretAccessKey, *dataDir, start)
	return nil
}

// initDataDir creates a data dir whose root key is in a key file.
func initDataDir(ctx context.Context, dataDir, keyFile, accountID, listen string) (*identity.AccessKey, error) {
	return initDataDirWith(ctx, dataDir, accountID, listen, rootKeyConfig{Holder: holderFile}, rootFlags{keyFile: keyFile})
}

// initDataDirWith creates the data dir, a root key held as rc says, the
// first account and its admin access key.
func initDataDirWith(ctx context.Context, dataDir, accountID, listen string, rc rootKeyConfig, rf rootFlags) (*identity.AccessKey, error) {
	absData, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, err
	}
	switch rc.Holder {
	case holderFile:
		if err := keyFileOutside(absData, rf.keyFile); err != nil {
			return nil, err
		}
	case holderPassphrase, holderKMS:
		if rf.keyFile != "" {
			return nil, fmt.Errorf("--key-file goes with --root-key file, not %s", rc.Holder)
		}
	default:
		return nil, fmt.Errorf("--root-key must be file, passphrase or kms, not %q", rc.Holder)
	}
	for _, f := range []string{dbFile, rootStateFile} {
		if _, err := os.Stat(filepath.Join(dataDir, f)); err == nil {
			return nil, fmt.Errorf("%s is already initialized", dataDir)
		}
	}
	root, err := keyring.GenerateRootKey(nil)
	if err != nil {
		return nil, err
	}
	// Whatever unlocks the key is gathered before anything is created.
	var h holder
	switch rc.Holder {
	case holderFile:
		if _, err := os.Stat(rf.keyFile); err == nil {
			return nil, fmt.Errorf("key file %s exists: init makes a new one", rf.keyFile)
		}
		h = &fileHolder{path: rf.keyFile}
	case holderPassphrase:
		p, err := rf.readPassphrase(true)
		if err != nil {
			return nil, err
		}
		if len(p) < minPassphrase {
			return nil, fmt.Errorf("the passphrase must be at least %d characters", minPassphrase)
		}
		rf.passphrase = p
		h = &passphraseHolder{flags: rf}
	case holderKMS:
		w, err := newKMSWrapper(ctx, rc.KMSEndpoint, rc.KMSRegion, rc.KMSKeyID)
		if err != nil {
			return nil, err
		}
		h = &kmsHolder{w: w}
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	st, err := h.prepare(ctx, root)
	if err != nil {
		return nil, err
	}
	if err := h.promote(); err != nil { // a key file: K.new becomes K
		return nil, err
	}
	st.Check = root.Check()
	if err := writeState(filepath.Join(dataDir, rootStateFile), st); err != nil {
		return nil, err
	}
	if err := writeConfig(dataDir, dataConfig{Listen: listen, RootKey: &rc}); err != nil {
		return nil, err
	}
	lock, err := lockDataDir(dataDir, true)
	if err != nil {
		return nil, err
	}
	lock.Close()
	app, err := openApp(ctx, dataDir, "", appOptions{root: rf})
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

// keyFileOutside refuses a key file inside the data dir (absolute): a copy
// of the data must not carry its key.
func keyFileOutside(absData, keyFile string) error {
	absKey, err := filepath.Abs(keyFile)
	if err != nil {
		return err
	}
	if absKey == absData || strings.HasPrefix(absKey, absData+string(filepath.Separator)) {
		return errors.New("the key file must be outside the data dir: a copy of the data must not carry its key")
	}
	return nil
}
