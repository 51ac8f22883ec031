import { GetParameterError } from '@aws-lambda-powertools/parameters/errors';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { CLIENT_TIMEOUTS, clientTimeoutOptions } from './clients/timeouts';

/** How long a secret's value is kept per container: a rotated value is picked up without a redeploy. */
export const SECRET_MAX_AGE_SECONDS = 5 * 60;

let provider: SecretsProvider | undefined;
/** Until when (epoch ms) a secret is known to hold no value: Powertools does not cache an undefined read. */
const notSetUntil = new Map<string, number>();

/**
 * A secret's string from Secrets Manager, through Powertools' SecretsProvider, cached for
 * SECRET_MAX_AGE_SECONDS. Undefined when the secret holds no value yet, which is kept as long (a
 * Slack request then re-reads nothing). A failed read throws the SDK's own error
 * (AccessDeniedException, ResourceNotFoundException, ...), not the provider's wrapper.
 */
export async function secretValue(secretArn: string): Promise<string | undefined> {
  if ((notSetUntil.get(secretArn) ?? 0) > Date.now()) return undefined;
  provider ??= new SecretsProvider({ clientConfig: clientTimeoutOptions(CLIENT_TIMEOUTS.secretsmanager) });
  let value: unknown;
  try {
    value = await provider.get(secretArn, { maxAge: SECRET_MAX_AGE_SECONDS });
  } catch (error) {
    throw error instanceof GetParameterError && error.cause !== undefined ? error.cause : error;
  }
  if (value === undefined) notSetUntil.set(secretArn, Date.now() + SECRET_MAX_AGE_SECONDS * 1000);
  return typeof value === 'string' ? value.trim() || undefined : undefined;
}
