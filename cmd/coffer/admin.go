package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// adminCommand runs offline administration against a data dir; the server
// may be stopped.
type adminCommand struct {
	stdout, stderr io.Writer
}

const adminUsage = `Usage: coffer admin <command> [flags]

Commands:
  account create      create an account (--account-id, or a random 12-digit
                      id) and an access key for its root principal
  account list        list the accounts (also: list-accounts)
  create-access-key   create an access key for an account's root principal
                      (the way back in when the admin key is lost)
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
	if args[0] == "account" {
		// "account create|list": one command name for the flag set below.
		if len(args) < 2 || args[1] != "create" && args[1] != "list" {
			fmt.Fprint(c.stderr, adminUsage)
			return errors.New("admin account needs create or list")
		}
		args = append([]string{"account-" + args[1]}, args[2:]...)
	}
	if args[0] == "list-accounts" {
		args[0] = "account-list"
	}
	fs := flag.NewFlagSet("coffer admin "+strings.Replace(args[0], "-", " ", 1), flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	dataDir := fs.String("data-dir", "", "data directory (required)")
	var rf rootFlags
	rf.register(fs)
	var accountID *string
	switch args[0] {
	case "create-access-key":
		accountID = fs.String("account-id", "", "account of the key (default: the only account)")
	case "account-create":
		accountID = fs.String("account-id", "", "12-digit id of the new account (default: a random one)")
	case "account-list", "rotate-root-key":
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
	if args[0] == "account-create" {
		acct, err := a.identity.CreateAccount(ctx, *accountID)
		if err != nil {
			return err
		}
		key, err := a.identity.CreateAccessKey(ctx, acct.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "Account:               %s\nRoot principal:        %s\nAccess key id:         %s\nSecret access key:     %s\n\nThe secret key is shown only this once.\n",
			acct.ID, key.Principal, key.AccessKeyID, key.SecretAccessKey)
		return nil
	}
	accounts, err := a.identity.Accounts(ctx)
	if err != nil {
		return err
	}
	if args[0] == "account-list" {
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
