"""KMS round trips with boto3, as a Python application would make them,
against the endpoint and credentials in the environment (AWS_ENDPOINT_URL,
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION). Prints one
JSON object with what it saw; exits non-zero on the first surprise."""

import base64
import hashlib
import hmac
import json
import sys

import boto3
from botocore.exceptions import ClientError

kms = boto3.client("kms")
seen = {}


def expect(cond, what):
    if not cond:
        print(json.dumps({"failed": what, "seen": seen}, default=str))
        sys.exit(1)


def error_of(fn, **kwargs):
    try:
        fn(**kwargs)
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"]["Message"]
    expect(False, "no error from " + fn.__name__)


alias = sys.argv[1]
key = kms.create_key(Description="boto3 key")["KeyMetadata"]
seen["key_arn"] = key["Arn"]
expect(key["KeyState"] == "Enabled" and key["KeySpec"] == "SYMMETRIC_DEFAULT", "create_key metadata")
expect(key["CreationDate"].tzinfo is not None, "CreationDate parsed as a timestamp")
kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
other = kms.create_key()["KeyMetadata"]

# Encrypt/Decrypt with and without an encryption context.
ctx = {"app": "taskhub"}
for ec in ({}, ctx):
    enc = kms.encrypt(KeyId=alias, Plaintext=b"hello boto3", EncryptionContext=ec)
    dec = kms.decrypt(CiphertextBlob=enc["CiphertextBlob"], EncryptionContext=ec)
    expect(dec["Plaintext"] == b"hello boto3" and dec["KeyId"] == key["Arn"], "decrypt round trip")
seen["wrong_context"] = error_of(kms.decrypt, CiphertextBlob=enc["CiphertextBlob"], EncryptionContext={"app": "other"})[0]

# A data key used locally (an HMAC here: the standard library has no AES),
# then unwrapped again by Decrypt.
dk = kms.generate_data_key(KeyId=key["KeyId"], KeySpec="AES_256", EncryptionContext=ctx)
expect(len(dk["Plaintext"]) == 32, "data key length")
mac = hmac.new(dk["Plaintext"], b"local data", hashlib.sha256).digest()
again = kms.decrypt(CiphertextBlob=dk["CiphertextBlob"], EncryptionContext=ctx)["Plaintext"]
expect(hmac.new(again, b"local data", hashlib.sha256).digest() == mac, "unwrapped data key works locally")

# ReEncrypt between two keys.
re = kms.re_encrypt(CiphertextBlob=enc["CiphertextBlob"], SourceEncryptionContext=ctx, DestinationKeyId=other["Arn"])
expect(re["SourceKeyId"] == key["Arn"] and re["KeyId"] == other["Arn"], "re_encrypt keys")
expect(kms.decrypt(CiphertextBlob=re["CiphertextBlob"])["Plaintext"] == b"hello boto3", "re-encrypted plaintext")
seen["incorrect_key"] = error_of(kms.decrypt, CiphertextBlob=re["CiphertextBlob"], KeyId=key["KeyId"])[0]

# Disable and enable.
kms.disable_key(KeyId=key["KeyId"])
seen["disabled"] = error_of(kms.encrypt, KeyId=alias, Plaintext=b"x")
kms.enable_key(KeyId=key["KeyId"])

# Rotation on demand keeps old ciphertexts readable.
kms.rotate_key_on_demand(KeyId=key["KeyId"])
expect(kms.decrypt(CiphertextBlob=enc["CiphertextBlob"], EncryptionContext=ctx)["Plaintext"] == b"hello boto3", "decrypt after rotation")
rotations = kms.list_key_rotations(KeyId=key["KeyId"])["Rotations"]
expect(len(rotations) == 1 and rotations[0]["RotationType"] == "ON_DEMAND", "list_key_rotations")
kms.enable_key_rotation(KeyId=key["KeyId"])
status = kms.get_key_rotation_status(KeyId=key["KeyId"])
expect(status["KeyRotationEnabled"] and status["RotationPeriodInDays"] == 365, "rotation status")

# Paginators walk aliases and keys.
names = [a["AliasName"] for page in kms.get_paginator("list_aliases").paginate(PaginationConfig={"PageSize": 1}) for a in page["Aliases"]]
seen["aliases"] = names
keys = [k["KeyId"] for page in kms.get_paginator("list_keys").paginate(PaginationConfig={"PageSize": 1}) for k in page["Keys"]]
expect(sorted(keys) == sorted([key["KeyId"], other["KeyId"]]), "list_keys pages")

# Scheduled deletion, cancelled.
sched = kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
expect(sched["KeyState"] == "PendingDeletion" and sched["DeletionDate"].tzinfo is not None, "schedule_key_deletion")
seen["pending"] = error_of(kms.decrypt, CiphertextBlob=enc["CiphertextBlob"], EncryptionContext=ctx)
kms.cancel_key_deletion(KeyId=key["KeyId"])
expect(kms.describe_key(KeyId=alias)["KeyMetadata"]["KeyState"] == "Disabled", "disabled after cancel")
seen["not_found"] = error_of(kms.describe_key, KeyId="alias/nope")
seen["random_len"] = len(kms.generate_random(NumberOfBytes=16)["Plaintext"])
print(json.dumps(seen, default=str))
