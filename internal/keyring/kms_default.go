package keyring

import (
	"context"

	"github.com/coffer-dev/coffer/internal/secrets"
)

// DefaultKey returns the account's AWS-managed key alias/aws/secretsmanager
// in region, creating it (and its alias) through tx when it does not exist
// yet, as AWS creates an AWS-managed key the first time it is referenced.
// tx must be a read-write transaction when the key may not exist.
func (k *Keyring) DefaultKey(ctx context.Context, tx secrets.Tx, account, region string) (*secrets.KMSKey, error) {
	return k.keyFor(ctx, tx, account, region, "", true)
}
