package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/coffer-dev/coffer/internal/audit"
	"github.com/coffer-dev/coffer/internal/identity"
	"github.com/coffer-dev/coffer/internal/keyring"
	"github.com/coffer-dev/coffer/internal/secrets"
)

// rotateRootKey replaces the root key of an open (and locked) data dir with
// a fresh one. It returns the number of KMS keys and access keys rewrapped.
//
// The steps, and what a crash after each leaves (see rootkey.go for how an
// open settles it):
//
//  1. The new key's holder is written beside the old one and fsynced:
//     root-key.json.new (check value; for a passphrase or a KMS, the wrapped
//     key) and, for a key file K, K.new. A crash leaves the data under the
//     old key; the next open removes the new files.
//  2. One store transaction rewraps every KMS key's material versions and
//     every access key's secret under the new key and replaces the store's
//     root-key-check. A crash before the commit rolls all of it back.
//  3. K.new is renamed over K, then root-key.json.new over root-key.json,
//     each followed by an fsync of its directory. A crash anywhere here
//     leaves the data under the new key, which the next open finds in K or
//     K.new and root-key.json or root-key.json.new, and finishes the switch.
//
// Afterwards only the new key opens the data dir.
func rotateRootKey(ctx context.Context, a *app, dataDir string) (kmsKeys, accessKeys int, err error) {
	rk := a.rootKeys
	old := a.keyring.Root()
	statePath := filepath.Join(dataDir, rootStateFile)
	next, err := keyring.GenerateRootKey(nil)
	if err != nil {
		return 0, 0, err
	}

	// 1. The new holder, beside the old.
	crashPoint("rotate-start")
	st, err := rk.holder.prepare(ctx, next)
	if err != nil {
		return 0, 0, fmt.Errorf("write the new root key: %w", err)
	}
	crashPoint("rotate-holder-written")
	st.Check = next.Check()
	if err := writeState(statePath+pendingSuffix, st); err != nil {
		rk.discardPending(statePath, old)
		return 0, 0, fmt.Errorf("write %s%s: %w", rootStateFile, pendingSuffix, err)
	}
	crashPoint("rotate-state-written")

	// 2. Rewrap everything in one transaction. committing is set once the
	// transaction's work is done: an error after it is the commit's.
	committing := false
	err = a.store.Update(ctx, func(tx secrets.Tx) error {
		kmsKeys, accessKeys = 0, 0
		keys, err := tx.KMSKeys(ctx, "", "")
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := keyring.RewrapKeyMaterial(k, old, next); err != nil {
				return err
			}
			if err := tx.PutKMSKey(ctx, k); err != nil {
				return err
			}
			kmsKeys++
			if kmsKeys == 1 {
				crashPoint("rotate-rewrap")
			}
		}
		accounts, err := tx.Accounts(ctx)
		if err != nil {
			return err
		}
		for _, acct := range accounts {
			aks, err := tx.AccessKeys(ctx, acct.ID)
			if err != nil {
				return err
			}
			for _, ak := range aks {
				if err := identity.RewrapAccessKey(ak, old, next); err != nil {
					return err
				}
				if err := tx.PutAccessKey(ctx, ak); err != nil {
					return err
				}
				accessKeys++
			}
		}
		// The audit chain is keyed from the root key: re-chain it under
		// the new one (checking it under the old first).
		if _, err := audit.Rekey(ctx, tx, old.Derive("audit-chain"), next.Derive("audit-chain")); err != nil {
			return fmt.Errorf("re-chain the audit trail: %w", err)
		}
		crashPoint("rotate-before-commit")
		if err := tx.PutMeta(ctx, metaRootCheck, next.Check()); err != nil {
			return err
		}
		committing = true
		return nil
	})
	if err != nil && committing {
		// The commit itself failed: it may still have reached the disk, so
		// the new key must stay where the next open looks for it; that open
		// keeps whichever key the data is under.
		return 0, 0, fmt.Errorf("commit under the new root key failed, and it is not known whether it reached the disk: %w; the next start keeps the key the data is under", err)
	}
	if err != nil {
		rk.discardPending(statePath, old)
		return 0, 0, fmt.Errorf("rewrap under the new root key (nothing changed): %w", err)
	}
	crashPoint("rotate-committed")

	// 3. Switch the holder. From here on the data is under the new key;
	// an error leaves the switch for the next open to finish.
	if err := rk.holder.promote(); err != nil {
		return kmsKeys, accessKeys, fmt.Errorf("the data is under the new root key, but %w; the next open finishes the switch", err)
	}
	crashPoint("rotate-holder-switched")
	if err := os.Rename(statePath+pendingSuffix, statePath); err != nil {
		return kmsKeys, accessKeys, fmt.Errorf("the data is under the new root key, but switching %s failed: %w; the next open finishes the switch", rootStateFile, err)
	}
	if err := syncDir(dataDir); err != nil {
		return kmsKeys, accessKeys, err
	}
	crashPoint("rotate-done")
	return kmsKeys, accessKeys, nil
}
