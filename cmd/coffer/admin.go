package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/coffer-dev/coffer/internal/audit"
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
  audit               print the audit trail's events, oldest first, one
                      CloudTrail record (JSON) per line; filter with --from,
                      --to (RFC 3339), --principal ARN, --secret ARN-or-name,
                      --event-name, --error-code, --account
  audit verify        check the audit trail's HMAC chain; exit 1 naming the
                      first bad event

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
	if args[0] == "audit" && len(args) > 1 && args[1] == "verify" {
		args = append([]string{"audit-verify"}, args[2:]...)
	}
	fs := flag.NewFlagSet("coffer admin "+strings.Replace(args[0], "-", " ", 1), flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	dataDir := fs.String("data-dir", "", "data directory (required)")
	var rf rootFlags
	rf.register(fs)
	var accountID *string
	var af auditFlags
	switch args[0] {
	case "create-access-key":
		accountID = fs.String("account-id", "", "account of the key (default: the only account)")
	case "account-create":
		accountID = fs.String("account-id", "", "12-digit id of the new account (default: a random one)")
	case "audit":
		af.register(fs)
	case "account-list", "rotate-root-key", "audit-verify":
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
	var filter audit.Filter
	if args[0] == "audit" {
		var err error
		if filter, err = af.filter(); err != nil {
			return err
		}
	}
	a, err := openApp(ctx, *dataDir, "", appOptions{root: rf})
	if err != nil {
		return err
	}
	defer a.Close()
	switch args[0] {
	case "audit":
		return c.printAudit(ctx, a, filter)
	case "audit-verify":
		return c.verifyAudit(ctx, a)
	}
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

// auditFlags are the filters of admin audit.
type auditFlags struct {
	from, to, principal, secret, eventName, errorCode, account string
}

func (f *auditFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.from, "from", "", "only events at or after this time (RFC 3339)")
	fs.StringVar(&f.to, "to", "", "only events at or before this time (RFC 3339)")
	fs.StringVar(&f.principal, "principal", "", "only the calls of this principal (its ARN, as userIdentity.arn)")
	fs.StringVar(&f.secret, "secret", "", "only the events about this secret: its ARN, or its name (in any account and region)")
	fs.StringVar(&f.eventName, "event-name", "", "only events of this operation (GetSecretValue, …)")
	fs.StringVar(&f.errorCode, "error-code", "", "only events with this error code (AccessDeniedException, …)")
	fs.StringVar(&f.account, "account", "", "only the events in this account's trail (recipientAccountId)")
}

func (f *auditFlags) filter() (audit.Filter, error) {
	flt := audit.Filter{
		Principal: f.principal, SecretARN: f.secret, EventName: f.eventName,
		ErrorCode: f.errorCode, Account: f.account,
	}
	for _, t := range []struct {
		name, val string
		dst       *time.Time
	}{{"--from", f.from, &flt.From}, {"--to", f.to, &flt.To}} {
		if t.val == "" {
			continue
		}
		v, err := time.Parse(time.RFC3339Nano, t.val)
		if err != nil {
			return flt, fmt.Errorf("%s: want an RFC 3339 time such as 2025-06-01T12:00:00Z: %w", t.name, err)
		}
		*t.dst = v
	}
	if !flt.From.IsZero() && !flt.To.IsZero() && flt.To.Before(flt.From) {
		return flt, errors.New("--to is before --from")
	}
	return flt, nil
}

// printAudit prints the events filter selects as JSON lines, each the
// CloudTrail record as it was appended, oldest first.
func (c *adminCommand) printAudit(ctx context.Context, a *app, filter audit.Filter) error {
	w := bufio.NewWriter(c.stdout)
	err := a.audit.QueryJSON(ctx, filter, func(_ int64, event []byte) error {
		if _, err := w.Write(event); err != nil {
			return err
		}
		return w.WriteByte('\n')
	})
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	return err
}

// verifyAudit checks the audit trail's chain.
func (c *adminCommand) verifyAudit(ctx context.Context, a *app) error {
	n, bad, err := a.audit.Verify(ctx)
	if err != nil {
		return err
	}
	if bad != nil {
		fmt.Fprintf(c.stdout, "FAILED: %s (%d events verified before it)\n", bad, n)
		return fmt.Errorf("the audit trail fails verification: %s", bad)
	}
	fmt.Fprintf(c.stdout, "OK: %d events verified\n", n)
	return nil
}
