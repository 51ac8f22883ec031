import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AuditStore } from '../../functions/shared/audit/audit-store';
import { AuditQueries } from '../audit/queries';
import { toDocumentClient } from '../../functions/shared/clients/dynamodb';
import { DesiredStateStore } from '../../functions/shared/desired/desired-store';
import { describeError } from '../../functions/shared/errors';
import { silentLog } from '../../functions/shared/log';
import type { ProtectionRules } from '../../functions/shared/rules/protection-rules';
import type { SweepResult } from '../../functions/sweep/result';
import { runSweep } from '../../functions/sweep/sweep';
import { LOCAL_CREDENTIALS } from '../../local/dynamodb/dynamodb-local';
import { ReconcileCommandError, runReconcile } from '../commands/reconcile';
import { CREDENTIALS_FIX, errorName, isCredentialsError, isDenied, permissionInMessage, SWEEP_PERMISSIONS } from './aws-calls';
import { CheckGroup, checksOf, type Check } from './check';
import { CLOUDTRAIL_REGION, cloudTrailChecks, NAME as CLOUDTRAIL_CHECK } from './cloudtrail';
import { desiredStateChecks, desiredStateFailed, desiredStateSkipped } from './desired';
import { organizationChecks } from './organization';
import type { DoctorTarget } from './report';
import { rulesChecks, rulesSkipped } from './rules';
import { localStackChecks, NAMES as STACK_NAMES, stackChecks } from './stack';

/** A problem that stops doctor before any check: one line, exit 1. */
export class DoctorCommandError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DoctorCommandError';
  }
}

/** The dry-run sweep has the time a sweep function has, less its margin. */
const SWEEP_DEADLINE_MS = 5 * 60_000;

export interface DoctorRun {
  target: DoctorTarget;
  checks: Check[];
}

const credentials = checksOf(CheckGroup.ORGANIZATION);
const CREDENTIALS_CHECK = 'AWS credentials';

/** The desired state against AWS: the sweep's own code, dry run, with the caller's read-only credentials. */
async function awsDesiredState(
  rules: ProtectionRules,
  clients: { organizations: OrganizationsClient; cloudTrail: CloudTrailClient; sfn: SFNClient; documents: DynamoDBDocumentClient },
  tableName: string,
  missing: ReadonlySet<string>,
): Promise<Check[]> {
  const { organizations, cloudTrail, sfn, documents } = clients;
  let result: SweepResult;
  try {
    result = await runSweep(
      {
        rules,
        organizations,
        cloudTrail,
        // A dry run starts nothing: no StartExecution, no state machine needed.
        sfn,
        stateMachineArn: '',
        desired: new DesiredStateStore(documents, tableName),
        audit: new AuditStore(documents, tableName),
        queries: new AuditQueries(documents, tableName),
        log: silentLog,
      },
      { dryRun: true, deadline: new Date(Date.now() + SWEEP_DEADLINE_MS) },
    );
  } catch (error) {
    if (isDenied(error)) {
      const named = permissionInMessage(error);
      return desiredStateFailed(
        `access denied: the caller lacks ${named ?? `one of ${SWEEP_PERMISSIONS.join(', ')}`}`,
        `grant ${named ?? 'them'} (the read-only policy in docs/cli.md, "doctor")`,
      );
    }
    if (isCredentialsError(error)) return desiredStateFailed(`no usable AWS credentials (${errorName(error)})`, CREDENTIALS_FIX);
    return desiredStateFailed(`the dry-run sweep failed: ${describeError(error).split('\n')[0]}`, 'scp-guardian reconcile --dry-run shows the deployed sweep\'s view');
  }
  return desiredStateChecks(result, missing);
}

/** Every check against AWS, with the default credential chain: the stack in `region`, CloudTrail in us-east-1. */
export async function doctorOnAws(rules: ProtectionRules, options: { region: string; stack: string; now?: Date }): Promise<DoctorRun> {
  const { region } = options;
  const target: DoctorTarget = { kind: 'aws', region, stack: options.stack };
  const sts = new STSClient({ region });
  const organizations = new OrganizationsClient({ region });
  // Organizations is a global service whose calls CloudTrail records in us-east-1 (DESIGN): the
  // trail checks and the sweep's event history read there whatever --region says.
  const cloudTrail = new CloudTrailClient({ region: CLOUDTRAIL_REGION });
  const stackClients = {
    cloudFormation: new CloudFormationClient({ region }),
    lambda: new LambdaClient({ region }),
    events: new EventBridgeClient({ region }),
    scheduler: new SchedulerClient({ region }),
    cloudWatch: new CloudWatchClient({ region }),
    sfn: new SFNClient({ region }),
    sns: new SNSClient({ region }),
    secrets: new SecretsManagerClient({ region }),
  };
  const dynamodb = new DynamoDBClient({ region });
  try {
    try {
      const caller = await sts.send(new GetCallerIdentityCommand({}));
      target.account = caller.Account;
    } catch (error) {
      // Without credentials nothing else can be asked: one line says so.
      const detail = isCredentialsError(error) ? `none usable (${errorName(error)})` : describeError(error).split('\n')[0];
      return { target, checks: [credentials.fail(CREDENTIALS_CHECK, detail, CREDENTIALS_FIX)] };
    }
    const organization = await organizationChecks(organizations, rules, target.account);
    const trail = await cloudTrailChecks(cloudTrail);
    const rulesFound = organization.readable ? await rulesChecks(organizations, rules, organization.roots) : { checks: rulesSkipped('the organization could not be read'), missing: new Set<string>() };
    const documents = toDocumentClient(dynamodb);
    const stack = await stackChecks({ ...stackClients, queries: (tableName) => new AuditQueries(documents, tableName) }, options.stack, rules, options.now);
    const tableName = stack.stack?.environment.TABLE;
    const desired = !organization.readable
      ? desiredStateSkipped('the organization could not be read')
      : tableName === undefined
        ? desiredStateSkipped(`the desired state is kept in the stack's audit table, which was not found (see "${STACK_NAMES.DEPLOYED}")`)
        : await awsDesiredState(rules, { organizations, cloudTrail, sfn: stackClients.sfn, documents }, tableName, rulesFound.missing);
    return { target, checks: [...organization.checks, ...trail, ...rulesFound.checks, ...desired, ...stack.checks] };
  } finally {
    for (const client of [sts, organizations, cloudTrail, dynamodb, ...Object.values(stackClients)]) client.destroy();
  }
}

/** The endpoints of a running `local --serve` (GET /endpoints). */
async function localEndpoints(url: string): Promise<{ base: URL; organizations: string }> {
  let base: URL;
  try {
    base = new URL(url);
  } catch {
    throw new DoctorCommandError(`--local: ${JSON.stringify(url)} is not a URL (e.g. http://127.0.0.1:8787)`);
  }
  let body: { organizations?: unknown } | undefined;
  try {
    const response = await fetch(new URL('endpoints', base.href.endsWith('/') ? base : `${base.href}/`), { signal: AbortSignal.timeout(10_000) });
    body = response.ok ? ((await response.json()) as { organizations?: unknown }) : undefined;
    if (body === undefined) throw new DoctorCommandError(`${base.origin} answered GET /endpoints with HTTP ${response.status}: is it scp-guardian local --serve?`);
  } catch (error) {
    if (error instanceof DoctorCommandError) throw error;
    const cause = (error as { cause?: { message?: string } }).cause?.message ?? describeError(error);
    throw new DoctorCommandError(`cannot reach scp-guardian local --serve at ${base.origin}: ${cause}`);
  }
  if (typeof body.organizations !== 'string') throw new DoctorCommandError(`${base.origin} answered GET /endpoints without an Organizations endpoint`);
  return { base, organizations: body.organizations };
}

/**
 * The same checks against a running `scp-guardian local --serve`: the Organizations checks through
 * the real SDK client against its local endpoint, the desired state by its own dry-run sweep
 * (POST /reconcile {"dryRun": true}, as `reconcile --local --dry-run`); what has no local
 * counterpart (CloudTrail, the deployed stack) is skipped with the reason.
 */
export async function doctorOnLocal(rules: ProtectionRules, options: { url: string; dataDir: string; region: string; env: NodeJS.ProcessEnv }): Promise<DoctorRun> {
  const endpoints = await localEndpoints(options.url);
  const target: DoctorTarget = { kind: 'local', url: endpoints.base.origin };
  const organizations = new OrganizationsClient({ region: options.region, endpoint: endpoints.organizations, credentials: LOCAL_CREDENTIALS, maxAttempts: 2 });
  try {
    const organization = await organizationChecks(organizations, rules);
    const trail = [checksOf(CheckGroup.CLOUDTRAIL).skip(CLOUDTRAIL_CHECK, 'no CloudTrail locally: events reach the workflow by POST /events')];
    const rulesFound = organization.readable ? await rulesChecks(organizations, rules, organization.roots) : { checks: rulesSkipped('the organization could not be read'), missing: new Set<string>() };
    let desired: Check[];
    if (!organization.readable) desired = desiredStateSkipped('the organization could not be read');
    else {
      try {
        const result = await runReconcile({ local: options.url, dataDir: options.dataDir, dryRun: true, region: options.region }, { env: options.env, lambda: (region) => new LambdaClient({ region }) });
        desired = desiredStateChecks(result, rulesFound.missing, target.url);
      } catch (error) {
        if (!(error instanceof ReconcileCommandError)) throw error;
        desired = desiredStateFailed(`the dry-run sweep failed: ${error.message}`, 'give the --data-dir the server was started with');
      }
    }
    return { target, checks: [...organization.checks, ...trail, ...rulesFound.checks, ...desired, ...localStackChecks()] };
  } finally {
    organizations.destroy();
  }
}
