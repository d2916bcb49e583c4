"""Access control with boto3, as a Python operator and application would
use it, against the endpoint and root credentials in the environment
(AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AWS_DEFAULT_REGION): the root creates a user, its access key and inline
policies with the iam client; a separate boto3 Session with the user's keys
reads what it is allowed and is refused the rest; a tag-conditioned Deny
wins over the Allow; a role is assumed through sts. Prints one JSON object
with what it saw, then a last line "OK"; exits non-zero on the first
surprise."""

import datetime
import json
import os
import sys

import boto3
from botocore.exceptions import ClientError

REGION = os.environ["AWS_DEFAULT_REGION"]
seen = {}


def expect(cond, what):
    if not cond:
        print(json.dumps({"failed": what, "seen": seen}, default=str))
        sys.exit(1)


def session(access_key, secret_key, token=None):
    """A Session with explicit credentials: nothing from the environment's
    credentials is used, only its endpoint."""
    return boto3.Session(aws_access_key_id=access_key, aws_secret_access_key=secret_key,
                         aws_session_token=token, region_name=REGION)


def error_of(label, fn, **kwargs):
    """Calls fn, which must fail with a ClientError; records and returns
    (code, message, HTTP status)."""
    try:
        out = fn(**kwargs)
    except ClientError as e:
        err = e.response["Error"]
        got = (err["Code"], err["Message"], e.response["ResponseMetadata"]["HTTPStatusCode"])
        seen[label] = {"code": got[0], "message": got[1], "status": got[2]}
        return got
    expect(False, label + ": no error, got " + json.dumps(out, default=str))


def recent(ts, ahead=datetime.timedelta(0)):
    return ts.tzinfo is not None and abs(ts - (datetime.datetime.now(datetime.timezone.utc) + ahead)) < datetime.timedelta(minutes=1)


root = boto3.Session()
iam, sm, sts = root.client("iam"), root.client("secretsmanager"), root.client("sts")
account = sts.get_caller_identity()["Account"]
user_arn = "arn:aws:iam::%s:user/boto3-backend" % account

# Root: three secrets, one of them classified restricted.
db = sm.create_secret(Name="prod/taskhub/db", SecretString='{"password":"db-pw"}')
sm.create_secret(Name="prod/taskhub/api", SecretString="api-token",
                 Tags=[{"Key": "classification", "Value": "restricted"}])
sm.create_secret(Name="prod/other/x", SecretString="other-value")

# Root: the user, its key, an inline policy.
user = iam.create_user(UserName="boto3-backend", Tags=[{"Key": "team", "Value": "taskhub"}])["User"]
expect(user["UserName"] == "boto3-backend" and user["Arn"] == user_arn and user["Path"] == "/", "create_user names")
expect(user["UserId"].startswith("AIDA") and len(user["UserId"]) == 21, "create_user UserId")
expect(recent(user["CreateDate"]), "create_user CreateDate parsed as a recent timestamp")
expect(user.get("Tags") == [{"Key": "team", "Value": "taskhub"}], "create_user Tags")
key = iam.create_access_key(UserName="boto3-backend")["AccessKey"]
expect(key["UserName"] == "boto3-backend" and key["Status"] == "Active", "create_access_key fields")
expect(key["AccessKeyId"].startswith("AKIA") and len(key["AccessKeyId"]) == 20, "create_access_key AccessKeyId")
expect(len(key["SecretAccessKey"]) == 40, "create_access_key SecretAccessKey")
expect(recent(key["CreateDate"]), "create_access_key CreateDate")

read_doc = {"Version": "2012-10-17", "Statement": [{
    "Sid": "ReadTaskHub", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
    "Resource": "arn:aws:secretsmanager:*:*:secret:prod/taskhub/*",
}]}
iam.put_user_policy(UserName="boto3-backend", PolicyName="taskhub-read", PolicyDocument=json.dumps(read_doc))

# boto3 URL-decodes the PolicyDocument of the query protocol and parses
# the JSON into a dict.
got = iam.get_user_policy(UserName="boto3-backend", PolicyName="taskhub-read")
expect(got["UserName"] == "boto3-backend" and got["PolicyName"] == "taskhub-read", "get_user_policy names")
expect(isinstance(got["PolicyDocument"], dict), "get_user_policy PolicyDocument is a dict, not " + type(got["PolicyDocument"]).__name__)
expect(got["PolicyDocument"] == read_doc, "get_user_policy PolicyDocument round trip: " + json.dumps(got["PolicyDocument"]))
expect(iam.list_user_policies(UserName="boto3-backend")["PolicyNames"] == ["taskhub-read"], "list_user_policies")
error_of("no_such_policy", iam.get_user_policy, UserName="boto3-backend", PolicyName="nope")

# The user, in its own Session.
us = session(key["AccessKeyId"], key["SecretAccessKey"])
usm, usts, uiam = us.client("secretsmanager"), us.client("sts"), us.client("iam")
ident = usts.get_caller_identity()
expect(ident["Arn"] == user_arn and ident["UserId"] == user["UserId"] and ident["Account"] == account, "user identity " + json.dumps(ident, default=str))
v = usm.get_secret_value(SecretId="prod/taskhub/db")
expect(v["SecretString"] == '{"password":"db-pw"}' and v["ARN"] == db["ARN"], "user reads the allowed secret")
expect(usm.get_secret_value(SecretId="prod/taskhub/api")["SecretString"] == "api-token", "user reads the restricted secret before the deny")
error_of("other_secret", usm.get_secret_value, SecretId="prod/other/x")
try:
    usm.describe_secret(SecretId="prod/taskhub/db")
    expect(False, "describe_secret allowed")
except usm.exceptions.ClientError as e:
    # No modeled exception class for AccessDeniedException: the generic one.
    expect(e.response["Error"]["Code"] == "AccessDeniedException", "describe_secret code")
error_of("iam_create_user", uiam.create_user, UserName="mallory")

# A Deny conditioned on the secret's tag wins over the Allow.
deny_doc = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Deny", "Action": "secretsmanager:*", "Resource": "*",
    "Condition": {"StringEquals": {"secretsmanager:ResourceTag/classification": "restricted"}},
}]}
iam.put_user_policy(UserName="boto3-backend", PolicyName="deny-restricted", PolicyDocument=json.dumps(deny_doc))
error_of("restricted", usm.get_secret_value, SecretId="prod/taskhub/api")
expect(usm.get_secret_value(SecretId="prod/taskhub/db")["SecretString"] == '{"password":"db-pw"}', "untagged secret after the deny")
# Untagged, the secret is readable again.
sm.untag_resource(SecretId="prod/taskhub/api", TagKeys=["classification"])
expect(usm.get_secret_value(SecretId="prod/taskhub/api")["SecretString"] == "api-token", "restricted secret once untagged")
sm.tag_resource(SecretId="prod/taskhub/api", Tags=[{"Key": "classification", "Value": "restricted"}])
error_of("restricted_again", usm.get_secret_value, SecretId="prod/taskhub/api")

# A role the user may assume, with a session policy narrower than the role's.
role_arn = "arn:aws:iam::%s:role/boto3-rotation" % account
trust = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": user_arn}, "Action": "sts:AssumeRole"}]}
role = iam.create_role(RoleName="boto3-rotation", AssumeRolePolicyDocument=json.dumps(trust), MaxSessionDuration=3600)["Role"]
expect(role["Arn"] == role_arn and role["RoleId"].startswith("AROA"), "create_role")
expect(role["AssumeRolePolicyDocument"] == trust, "create_role AssumeRolePolicyDocument decoded to a dict")
expect(iam.get_role(RoleName="boto3-rotation")["Role"]["AssumeRolePolicyDocument"] == trust, "get_role AssumeRolePolicyDocument")
iam.put_role_policy(RoleName="boto3-rotation", PolicyName="rotate", PolicyDocument=json.dumps({
    "Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Action": ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:DescribeSecret"],
        "Resource": "arn:aws:secretsmanager:*:*:secret:prod/taskhub/*"}]}))
session_policy = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], "Resource": "*"}]}
ar = usts.assume_role(RoleArn=role_arn, RoleSessionName="boto3-rot", DurationSeconds=900, Policy=json.dumps(session_policy))
c = ar["Credentials"]
expect(c["AccessKeyId"].startswith("ASIA") and c["SessionToken"], "assume_role credentials")
expect(recent(c["Expiration"], datetime.timedelta(minutes=15)), "assume_role Expiration about 15 minutes ahead: " + str(c["Expiration"]))
sess_arn = "arn:aws:sts::%s:assumed-role/boto3-rotation/boto3-rot" % account
expect(ar["AssumedRoleUser"] == {"AssumedRoleId": role["RoleId"] + ":boto3-rot", "Arn": sess_arn}, "AssumedRoleUser " + json.dumps(ar["AssumedRoleUser"]))
rs = session(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
rident = rs.client("sts").get_caller_identity()
seen["session_arn"] = rident["Arn"]
expect(rident["Arn"] == sess_arn and rident["UserId"] == role["RoleId"] + ":boto3-rot", "session identity")
rsm = rs.client("secretsmanager")
# The role's policy has no tag Deny: the restricted secret is readable in the role.
expect(rsm.get_secret_value(SecretId="prod/taskhub/api")["SecretString"] == "api-token", "session reads what both allow")
error_of("session_put", rsm.put_secret_value, SecretId="prod/taskhub/db", SecretString="rotated")
error_of("session_other", rsm.get_secret_value, SecretId="prod/other/x")
error_of("root_assume", sts.assume_role, RoleArn=role_arn, RoleSessionName="root-try")
# A tampered token is refused.
bad = session(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"][:-8] + "AAAAAAAA")
error_of("tampered_sts", bad.client("sts").get_caller_identity)
error_of("tampered_sm", bad.client("secretsmanager").get_secret_value, SecretId="prod/taskhub/db")

# GetSessionToken credentials act as the user, Deny included.
st = usts.get_session_token(DurationSeconds=900)["Credentials"]
ts = session(st["AccessKeyId"], st["SecretAccessKey"], st["SessionToken"])
expect(ts.client("sts").get_caller_identity()["Arn"] == user_arn, "GetSessionToken identity")
expect(ts.client("secretsmanager").get_secret_value(SecretId="prod/taskhub/db")["Name"] == "prod/taskhub/db", "GetSessionToken read")
error_of("token_restricted", ts.client("secretsmanager").get_secret_value, SecretId="prod/taskhub/api")

# An inactive key is refused; iam's paginator lists the keys.
iam.update_access_key(UserName="boto3-backend", AccessKeyId=key["AccessKeyId"], Status="Inactive")
keys = [k for page in iam.get_paginator("list_access_keys").paginate(UserName="boto3-backend") for k in page["AccessKeyMetadata"]]
expect([(k["AccessKeyId"], k["Status"]) for k in keys] == [(key["AccessKeyId"], "Inactive")], "list_access_keys after update")
error_of("inactive_sts", usts.get_caller_identity)
error_of("inactive_sm", usm.get_secret_value, SecretId="prod/taskhub/db")
users = [u["UserName"] for page in iam.get_paginator("list_users").paginate() for u in page["Users"]]
expect(users == ["boto3-backend"], "list_users")

print(json.dumps(seen, default=str))
print("OK")
