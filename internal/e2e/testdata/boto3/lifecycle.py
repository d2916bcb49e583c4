"""Drives a secret through its life with boto3, as a Python application
would, against the endpoint and credentials in the environment
(AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AWS_DEFAULT_REGION). Prints one JSON object with what it saw; exits non-zero
on the first surprise."""

import base64
import json
import sys

import boto3
from botocore.exceptions import ClientError

sm = boto3.client("secretsmanager")
seen = {}


def expect(cond, what):
    if not cond:
        print(json.dumps({"failed": what, "seen": seen}, default=str))
        sys.exit(1)


name = sys.argv[1]
created = sm.create_secret(
    Name=name,
    SecretString=json.dumps({"username": "taskhub", "password": "pw-one"}),
    Tags=[{"Key": "team", "Value": "taskhub"}],
)
seen["arn"] = created["ARN"]
expect(created["Name"] == name and "VersionId" in created, "create_secret response")

got = sm.get_secret_value(SecretId=name)
expect(json.loads(got["SecretString"])["password"] == "pw-one", "first value")
expect(got["VersionStages"] == ["AWSCURRENT"], "first stages")
expect(got["CreatedDate"].tzinfo is not None, "CreatedDate parsed as a timestamp")

put = sm.put_secret_value(SecretId=created["ARN"], SecretBinary=b"\x00\x01binary\xff")
got = sm.get_secret_value(SecretId=name)
expect(got["SecretBinary"] == b"\x00\x01binary\xff", "binary value round trip")
prev = sm.get_secret_value(SecretId=name, VersionStage="AWSPREVIOUS")
expect(prev["VersionId"] == created["VersionId"], "AWSPREVIOUS moved to the first version")

desc = sm.describe_secret(SecretId=name)
expect(desc["VersionIdsToStages"][put["VersionId"]] == ["AWSCURRENT"], "describe stages")
expect(desc["Tags"] == [{"Key": "team", "Value": "taskhub"}], "describe tags")
expect("KmsKeyId" not in desc, "no KmsKeyId for the default key")

ids, token = [], None
while True:
    kwargs = {"SecretId": name, "MaxResults": 1}
    if token:
        kwargs["NextToken"] = token
    page = sm.list_secret_version_ids(**kwargs)
    ids += [v["VersionId"] for v in page["Versions"]]
    token = page.get("NextToken")
    if not token:
        break
expect(ids == [created["VersionId"], put["VersionId"]], "version pages, oldest first")

listed = [s["Name"] for page in sm.get_paginator("list_secrets").paginate(
    Filters=[{"Key": "name", "Values": [name]}]) for s in page["SecretList"]]
expect(listed == [name], "list_secrets by name")

pw = sm.get_random_password(PasswordLength=20, ExcludePunctuation=True)["RandomPassword"]
expect(len(pw) == 20 and pw.isalnum(), "random password")

try:
    sm.get_secret_value(SecretId=name + "-missing")
    expect(False, "missing secret raised nothing")
except sm.exceptions.ResourceNotFoundException as e:
    seen["not_found"] = e.response["Error"]["Message"]

deleted = sm.delete_secret(SecretId=name, RecoveryWindowInDays=7)
expect(deleted["DeletionDate"] > got["CreatedDate"], "deletion date after creation")
try:
    sm.get_secret_value(SecretId=name)
    expect(False, "read of a deleted secret raised nothing")
except ClientError as e:
    seen["deleted_code"] = e.response["Error"]["Code"]
    seen["deleted_message"] = e.response["Error"]["Message"]
sm.restore_secret(SecretId=name)
batch = sm.batch_get_secret_value(SecretIdList=[name, name + "-missing"])
expect(len(batch["SecretValues"]) == 1 and len(batch["Errors"]) == 1, "batch values and errors")
seen["batch_error"] = batch["Errors"][0]["ErrorCode"]
seen["binary_b64"] = base64.b64encode(batch["SecretValues"][0]["SecretBinary"]).decode()
print(json.dumps(seen))
