// Reads a plaintext secret the way AWS's JavaScript examples do:
// GetSecretValue with VersionStage "AWSCURRENT". The endpoint and the
// credentials come from the environment (AWS_ENDPOINT_URL,
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION).
import { SecretsManagerClient, GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";

const secretName = process.argv[2];
const client = new SecretsManagerClient({});
try {
  const response = await client.send(
    new GetSecretValueCommand({ SecretId: secretName, VersionStage: "AWSCURRENT" }),
  );
  process.stdout.write(JSON.stringify({ name: response.Name, versionId: response.VersionId, secret: response.SecretString }));
} catch (error) {
  process.stdout.write(JSON.stringify({ error: error.name, message: error.message }));
  process.exitCode = 3;
}
