import { AuditStore } from '../shared/audit/audit-store';
import { IncidentQueries } from '../shared/audit/queries';
import { defaultCloudTrailClient } from '../shared/clients/cloudtrail';
import { defaultDocumentClient } from '../shared/clients/dynamodb';
import { sweepOrganizationsClient } from '../shared/clients/organizations';
import { defaultSfnClient } from '../shared/clients/sfn';
import { isObject } from '../shared/cloudtrail';
import type { MetricSink } from '../shared/incident-metrics';
import { lambdaMetricSink } from '../shared/lambda-metrics';
import { lambdaHandler } from '../shared/lambda-handler';
import { MetricName } from '../shared/metrics';
import { DesiredStateStore } from '../shared/desired/desired-store';
import { lambdaLog } from '../shared/log';
import { requireEnv, rulesFromEnvironment } from '../shared/runtime';
import { FUNCTION_TIMEOUT_SECONDS } from '../shared/workflow-functions';
import { answerCloudFormation, isCustomResourceEvent } from './after-deploy';
import { SweepError, SweepErrorName } from './calls';
import type { SweepResult } from './result';
import { runSweep, type SweepDependencies } from './sweep';

/** The environment variable that names the remediation state machine. */
export const STATE_MACHINE_ARN_ENV = 'STATE_MACHINE_ARN';

/**
 * Milliseconds kept back from the function's remaining time: the sweep stops (named
 * SweepDeadlinePassed) this long before Lambda would cut it off, so the failure is logged.
 */
export const DEADLINE_MARGIN_MS = 15_000;

/** What Lambda hands a handler besides the event (only what the sweep uses). */
export interface SweepContext {
  getRemainingTimeInMillis(): number;
}

/**
 * The sweep function: any event starts a sweep (EventBridge Scheduler's, `scp-guardian
 * reconcile`'s, CloudFormation's after a deployment, answered first: after-deploy.ts);
 * `{"dryRun": true}` computes the drift and writes and starts nothing.
 * A sweep that could not record or start everything fails, named SweepIncomplete, after logging
 * its result, so the alarm fires; the next sweep does what this one could not. A sweep that did
 * everything (not a dry run) emits SweepCompleted, whose absence raises SweepMissing.
 */
export function createSweepHandler(deps: SweepDependencies & { answer?: typeof fetch; metrics?: MetricSink }) {
  return async (event?: unknown, context?: SweepContext): Promise<SweepResult | undefined> => {
    const log = deps.log ?? lambdaLog();
    if (isCustomResourceEvent(event)) {
      await answerCloudFormation(event, log, deps.answer);
      if (event.RequestType === 'Delete') return undefined;
    }
    const remaining = context?.getRemainingTimeInMillis() ?? FUNCTION_TIMEOUT_SECONDS.sweep * 1000;
    const deadline = new Date(Date.now() + Math.max(1_000, remaining - DEADLINE_MARGIN_MS));
    const dryRun = isObject(event) && event.dryRun === true;
    try {
      const result = await runSweep({ ...deps, log }, { dryRun, deadline });
      if (result.errors.length > 0) {
        throw new SweepError(SweepErrorName.INCOMPLETE, `the sweep is incomplete, ${result.errors.length} problem(s): ${result.errors.slice(0, 3).join('; ')}${result.errors.length > 3 ? '; ...' : ''}`);
      }
      // Published as it is recorded (lambda-metrics.ts); a failed publish does not fail the sweep.
      if (!dryRun) deps.metrics?.([{ name: MetricName.SWEEP_COMPLETED, unit: 'Count', value: 1, dimensions: {} }]);
      return result;
    } catch (error) {
      log.error('sweep failed', { error: (error as Error).name, message: (error as Error).message, dryRun });
      throw error;
    }
  };
}

const metrics = lambdaMetricSink();
export const handler = lambdaHandler(() => {
  const documentClient = defaultDocumentClient();
  const tableName = requireEnv('TABLE_NAME');
  return createSweepHandler({
    rules: rulesFromEnvironment(),
    organizations: sweepOrganizationsClient(),
    cloudTrail: defaultCloudTrailClient(),
    sfn: defaultSfnClient(),
    stateMachineArn: requireEnv(STATE_MACHINE_ARN_ENV),
    desired: new DesiredStateStore(documentClient, tableName),
    audit: new AuditStore(documentClient, tableName),
    queries: new IncidentQueries(documentClient, tableName),
    metrics,
  });
});
