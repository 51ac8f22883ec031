import { defaultDocumentClient } from '../shared/clients/dynamodb';
import { defaultOrganizationsClient } from '../shared/clients/organizations';
import { DesiredStateStore } from '../shared/desired/desired-store';
import { lambdaLog, type Log } from '../shared/log';
import { lambdaHandler } from '../shared/lambda-handler';
import { requireEnv, rulesFromEnvironment } from '../shared/runtime';
import { restoreOnce, restoring, type RestoreDependencies, type RestoreInput, type RestoreResult } from './restore';

/** RestoreProtection: one attempt of restoring a kind other than DETACHED; the state machine owns the retries. */
export function createRestoreHandler(deps: RestoreDependencies & { log?: (incidentId: string) => Log }) {
  return async (input: RestoreInput): Promise<RestoreResult> => {
    const log = (deps.log ?? lambdaLog)(input.incident.incidentId);
    try {
      const result = await restoreOnce(input, deps);
      log.info('restore ended', { kind: restoring(input.incident), outcome: result.outcome, cause: result.cause, actions: result.actions.length });
      return result;
    } catch (error) {
      log.warn('restore failed', { error: (error as Error).name, message: (error as Error).message });
      throw error;
    }
  };
}

export const handler = lambdaHandler(() => {
  const rules = rulesFromEnvironment();
  return createRestoreHandler({
    organizations: defaultOrganizationsClient(),
    desired: new DesiredStateStore(defaultDocumentClient(), requireEnv('TABLE_NAME')),
    rules,
    deadlineSeconds: rules.remediation.deadlineMinutes * 60,
  });
});
