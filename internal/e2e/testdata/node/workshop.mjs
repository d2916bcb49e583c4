// The TaskHub workshop flow with the AWS SDK for JavaScript v3: create a
// customer key, alias it alias/taskhub_kms, store a JSON key/value secret
// under it and read it back. Endpoint and credentials come from the
// environment (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_REGION). Prints what it saw as JSON.
import { KMSClient, CreateKeyCommand, CreateAliasCommand } from "@aws-sdk/client-kms";
import { SecretsManagerClient, CreateSecretCommand, GetSecretValueCommand, DescribeSecretCommand } from "@aws-sdk/client-secrets-manager";

const name = process.argv[2];
const kms = new KMSClient({});
const sm = new SecretsManagerClient({});
try {
  const key = await kms.send(new CreateKeyCommand({ Description: "TaskHub data key" }));
  await kms.send(new CreateAliasCommand({ AliasName: "alias/taskhub_kms", TargetKeyId: key.KeyMetadata.KeyId }));
  const value = JSON.stringify({ Service: "Amazon DynamoDB", Region: "us-east-1", Table: "TaskHub" });
  await sm.send(new CreateSecretCommand({ Name: name, KmsKeyId: "alias/taskhub_kms", SecretString: value }));
  const got = await sm.send(new GetSecretValueCommand({ SecretId: name, VersionStage: "AWSCURRENT" }));
  const desc = await sm.send(new DescribeSecretCommand({ SecretId: name }));
  process.stdout.write(JSON.stringify({
    keyId: key.KeyMetadata.KeyId, keyState: key.KeyMetadata.KeyState,
    secret: JSON.parse(got.SecretString), kmsKeyId: desc.KmsKeyId,
  }));
} catch (error) {
  process.stdout.write(JSON.stringify({ error: error.name, message: error.message }));
  process.exitCode = 3;
}
