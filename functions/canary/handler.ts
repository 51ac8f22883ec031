import { defaultOrganizationsClient } from '../shared/clients/organizations';
import { lambdaMetricSink } from '../shared/lambda-metrics';
import { lambdaHandler } from '../shared/lambda-handler';
import { lambdaLog, type Log } from '../shared/log';
import type { ProtectionRules } from '../shared/rules/protection-rules';
import { rulesFromEnvironment } from '../shared/runtime';
import { CanaryErrorName, CanaryRefusedError, runCanary, type CanaryDependencies, type CanaryRun } from './canary';

export interface CanaryHandlerDependencies extends Omit<CanaryDependencies, 'canary' | 'policyTypes'> {
  /** The protection rules: `canary` names the pair, `policyTypes` the types it may be. */
  rules: ProtectionRules;
  log?: Log;
}

/**
 * The daily canary: the scheduled event in (its content does not matter), one run out. A
 * refusal or a failure is thrown, named, so the invocation fails and CanaryMissing fires.
 */
export function createCanaryHandler(deps: CanaryHandlerDependencies) {
  return async (_event?: unknown): Promise<CanaryRun> => {
    const log = deps.log ?? lambdaLog();
    const { canary, policyTypes } = deps.rules;
    if (canary === undefined) throw new CanaryRefusedError(CanaryErrorName.NOT_CONFIGURED, 'the protection rules have no "canary"');
    try {
      const run = await runCanary({ ...deps, canary, policyTypes });
      log.info('canary started: the guard must reattach it', { ...run });
      return run;
    } catch (error) {
      log.error('canary not started', { error: (error as Error).name, reason: (error as Error).message, ...canary });
      throw error;
    }
  };
}

const metrics = lambdaMetricSink();
export const handler = lambdaHandler(() => createCanaryHandler({ rules: rulesFromEnvironment(), organizations: defaultOrganizationsClient(), metrics }));
