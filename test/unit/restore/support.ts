import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { createHash } from 'node:crypto';
import { organizationsClientOptions } from '../../../functions/shared/clients/organizations';
import type { Incident } from '../../../functions/shared/incident';
import { silentLog } from '../../../functions/shared/log';
import { createRestoreHandler } from '../../../functions/restore/handler';
import type { RestoreDependencies } from '../../../functions/restore/restore';
import { LOCAL_CREDENTIALS } from '../../../local/dynamodb/dynamodb-local';
import type { LocalEnvironment } from '../../../local/environment';

export const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** The restore function from its factory, on the environment's local Organizations endpoint and desired state. */
export function restoreHandler(env: LocalEnvironment, overrides: Partial<RestoreDependencies> = {}) {
  return createRestoreHandler({
    organizations: new OrganizationsClient({ ...organizationsClientOptions(2_000), endpoint: env.organizationsUrl, credentials: LOCAL_CREDENTIALS }),
    desired: env.desired,
    rules: env.options.rules,
    deadlineSeconds: 3600,
    enablePollMs: 20,
    log: () => silentLog,
    ...overrides,
  });
}

let serial = 0;
/** A protected incident of a kind other than DETACHED, as classify (or the sweep) hands it over. */
export function kindIncident(fields: Partial<Incident> & Pick<Incident, 'kind'>): Incident {
  serial++;
  return {
    incidentId: `00000000-0000-4000-8000-${String(serial).padStart(12, '0')}`,
    verdict: 'PROTECTED',
    reason: 'a protected change',
    detectedAt: new Date().toISOString(),
    policy: {},
    target: {},
    actor: { type: 'Root', console: true },
    mode: 'auto',
    notify: true,
    ...fields,
  };
}

/** RestoreProtection's input for an incident, first round. */
export const restoreInput = (incident: Incident) => ({
  incident,
  executionArn: `arn:aws:states:us-east-1:000000000000:execution:scp-guardian-local:${incident.incidentId}`,
  startedAt: new Date().toISOString(),
  decision: { decision: 'AUTO' },
  retry: { round: 0 },
});

/** Records that each pair was seen attached just now. */
export async function seedPairs(env: LocalEnvironment, pairs: [policyId: string, targetId: string][]): Promise<void> {
  const at = new Date().toISOString();
  for (const [policyId, targetId] of pairs) await env.desired.recordPair({ policyId, targetId, desired: true, reason: 'seen-attached', at });
}
