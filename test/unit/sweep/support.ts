import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SFNClient } from '@aws-sdk/client-sfn';
import { IncidentQueries } from '../../../functions/shared/audit/queries';
import type { IncidentRecord } from '../../../functions/shared/audit/records';
import { CLOUDTRAIL_CLIENT_OPTIONS } from '../../../functions/shared/clients/cloudtrail';
import { toDocumentClient } from '../../../functions/shared/clients/dynamodb';
import { SWEEP_ORGANIZATIONS_CLIENT_OPTIONS } from '../../../functions/shared/clients/organizations';
import { silentLog } from '../../../functions/shared/log';
import { IncidentStatus } from '../../../functions/shared/vocabulary';
import { runSweep, type SweepDependencies, type SweepOptions } from '../../../functions/sweep/sweep';
import { LOCAL_CREDENTIALS, LOCAL_REGION, localDynamoDbClient } from '../../../local/dynamodb/dynamodb-local';
import type { LocalEnvironment } from '../../../local/environment';
import { LOCAL_STATE_MACHINE_ARN } from '../../../local/workflow/local-workflow';

/**
 * The sweep as its function runs it (runSweep), on the environment's own components: its local
 * Organizations endpoint, CloudTrail's history, Step Functions (StartExecution starts the real
 * ASL), the audit table. Tests replace one dependency to stage what AWS does in between: a
 * second sweep overlapping the first, an index that lags, a deadline that is near.
 */
export function sweepDependencies(env: LocalEnvironment, overrides: Partial<SweepDependencies> = {}): SweepDependencies {
  return {
    rules: env.options.rules,
    organizations: new OrganizationsClient({ ...SWEEP_ORGANIZATIONS_CLIENT_OPTIONS, endpoint: env.organizationsUrl, credentials: LOCAL_CREDENTIALS }),
    cloudTrail: new CloudTrailClient({ ...CLOUDTRAIL_CLIENT_OPTIONS, endpoint: env.cloudTrail.url, credentials: LOCAL_CREDENTIALS }),
    sfn: new SFNClient({ endpoint: env.stepFunctions.url, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }),
    stateMachineArn: LOCAL_STATE_MACHINE_ARN,
    desired: env.desired,
    audit: env.audit,
    queries: new IncidentQueries(toDocumentClient(localDynamoDbClient(env.dynamoDbEndpoint)), env.tableName),
    log: silentLog,
    ...overrides,
  };
}

/** One sweep by runSweep, a minute to do it unless told otherwise. */
export function sweepNow(env: LocalEnvironment, overrides: Partial<SweepDependencies> = {}, options: Partial<SweepOptions> = {}) {
  return runSweep(sweepDependencies(env, overrides), { deadline: new Date(Date.now() + 60_000), ...options });
}

/** The byTarget index as it may answer right after a claim (it is eventually consistent): nothing yet. */
export const laggingIndex = () => ({ all: async function* () {} }) as unknown as IncidentQueries;

/** Waits until the incident exists (and, with `closed`, is CLOSED), as the workflow records it. */
export async function incidentOf(env: LocalEnvironment, incidentId: string, options: { closed?: boolean; timeoutMs?: number } = {}): Promise<IncidentRecord> {
  const until = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const record = await env.trueAudit.getIncident(incidentId);
    if (record !== undefined && (options.closed !== true || record.status === IncidentStatus.CLOSED)) return record;
    if (Date.now() > until) throw new Error(`incident ${incidentId} ${record === undefined ? 'never recorded' : `still ${record.status}`}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
