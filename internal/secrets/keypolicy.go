package secrets

import "context"

// ResourceAliases returns the kms:ResourceAliases of k (the aliases that
// name it) as a function, for Access.Lazy: the aliases are read through tx
// only when a policy in play has a condition on them. A failed read gives
// none, so a condition on them does not match.
func ResourceAliases(ctx context.Context, tx Tx, k *KMSKey) func() []string {
	return func() []string {
		all, err := tx.KMSAliases(ctx, k.Account, k.Region)
		if err != nil {
			return nil
		}
		var names []string
		for _, a := range all {
			if a.TargetKey == k.ARN {
				names = append(names, a.Name)
			}
		}
		return names
	}
}

// KeyPolicy is the policy in force for a KMS key: its own, or, when it has
// none stored, the policy AWS gives such a key (AWS-managed keys their
// service policy, customer keys the default key policy).
func KeyPolicy(k *KMSKey) string {
	switch {
	case k.Policy != "":
		return k.Policy
	case k.Manager == "AWS":
		return managedKeyPolicy(k.Account, k.Region)
	}
	return DefaultKeyPolicy(k.Account)
}

// DefaultKeyPolicy is AWS's default key policy for a key created without
// one: the account's root may do everything, so IAM policies decide
// (AWS KMS Developer Guide, "Default key policy").
func DefaultKeyPolicy(account string) string {
	return `{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:aws:iam::` + account + `:root"
    },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}`
}

// managedKeyPolicy is the policy of the AWS-managed key aws/secretsmanager:
// use through Secrets Manager by the account's principals, and read access
// to the key's metadata (the form of the policies AWS gives its
// AWS-managed keys).
func managedKeyPolicy(account, region string) string {
	via := "secretsmanager." + region + ".amazonaws.com"
	return `{
  "Version" : "2012-10-17",
  "Id" : "auto-secretsmanager-2",
  "Statement" : [ {
    "Sid" : "Allow access through AWS Secrets Manager for all principals in the account that are authorized to use AWS Secrets Manager",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "*"
    },
    "Action" : [ "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:CreateGrant", "kms:DescribeKey" ],
    "Resource" : "*",
    "Condition" : {
      "StringEquals" : {
        "kms:CallerAccount" : "` + account + `",
        "kms:ViaService" : "` + via + `"
      }
    }
  }, {
    "Sid" : "Allow access through AWS Secrets Manager for all principals in the account that are authorized to use AWS Secrets Manager",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "*"
    },
    "Action" : "kms:GenerateDataKey*",
    "Resource" : "*",
    "Condition" : {
      "StringEquals" : {
        "kms:CallerAccount" : "` + account + `"
      },
      "StringLike" : {
        "kms:ViaService" : "` + via + `"
      }
    }
  }, {
    "Sid" : "Allow direct access to key metadata to the account",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:aws:iam::` + account + `:root"
    },
    "Action" : [ "kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant" ],
    "Resource" : "*"
  } ]
}`
}
