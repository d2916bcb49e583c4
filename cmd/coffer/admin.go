package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
)

// adminCommand runs offline administration against a data dir; the server
// may be stopped.
type adminCommand struct {
	stdout, stderr io.Writer
}

const adminUsage = `Usage: coffer admin <command> [flags]

Commands:
  create-access-key   create an access key for an account's root principal
                      (the way back in when the admin key is lost)
  list-accounts       list the accounts
  rotate-root-key     replace the root key with a fresh one and rewrap
                      everything under it (crash-safe; the old key stops
                      opening the data dir)

Every command needs the server stopped, and what unlocks the root key:
--key-file, or a passphrase (--passphrase-file, --passphrase-fd,
$COFFER_PASSPHRASE or a prompt), or the external KMS's AWS credentials.
`

func (c *adminCommand) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(c.stderr, adminUsage)
		return errors.New("admin needs a command")
	}
	fs := flag.NewFlagSet("coffer admin "+args[0], flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	dataDir := fs.String("data-dir", "", "data directory (required)")
	var rf rootFlags
	rf.register(fs)
	var accountID *string
	switch args[0] {
	case "create-access-key":
		accountID = fs.String("account-id", "", "account of the key (default: the only account)")
	case "list-accounts", "rotate-root-key":
	default:
		fmt.Fprint(c.stderr, adminUsage)
		return fmt.Errorf("unknown admin command %q", args[0])
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *dataDir == "" {
		fs.Usage()
		return errors.New("admin needs --data-dir")
	}
	a, err := openApp(ctx, *dataDir, "", appOptions{root: rf})
	if err != nil {
		return err
	}
	defer a.Close()
	if args[0] == "rotate-root-key" {
		kmsKeys, accessKeys, err := rotateRootKey(ctx, a, *dataDir)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "Rotated the root key: rewrapped %d KMS keys and %d access keys. The old root key no longer opens %s.\n",
			kmsKeys, accessKeys, *dataDir)
		return nil
	}
	accounts, err := a.identity.Accounts(ctx)
	if err != nil {
		return err
	}
	if args[0] == "list-accounts" {
		for _, acct := range accounts {
			fmt.Fprintln(c.stdout, acct.ID)
		}
		return nil
	}
	account := *accountID
	if account == "" {
		if len(accounts) != 1 {
			return fmt.Errorf("the data dir has %d accounts: name one with --account-id", len(accounts))
		}
		account = accounts[0].ID
	}
	key, err := a.identity.CreateAccessKey(ctx, account)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "Account:               %s\nAccess key id:         %s\nSecret access key:     %s\n\nThe secret key is shown only this once.\n",
		key.Account, key.AccessKeyID, key.SecretAccessKey)
	return nil
}
