import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CLIENT_TIMEOUTS, clientTimeoutOptions } from './clients/timeouts';

const CACHE_MS = 5 * 60 * 1000;
const cache = new Map<string, { value: string | undefined; until: number }>();
let client: SecretsManagerClient | undefined;

/**
 * A secret's string from Secrets Manager, cached for five minutes per container so a rotated
 * value is picked up without a redeploy. Undefined when the secret holds no value yet.
 */
export async function secretValue(secretArn: string, now = Date.now()): Promise<string | undefined> {
  const cached = cache.get(secretArn);
  if (cached !== undefined && cached.until > now) return cached.value;
  client ??= new SecretsManagerClient(clientTimeoutOptions(CLIENT_TIMEOUTS.secretsmanager));
  const answer = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
  const value = answer.SecretString?.trim() || undefined;
  cache.set(secretArn, { value, until: now + CACHE_MS });
  return value;
}
