import { AuditStore } from '../shared/audit/audit-store';
import type { Incident } from '../shared/incident';
import { lambdaLog, type Log } from '../shared/log';
import { once, requireEnv } from '../shared/runtime';
import { defaultDocumentClient } from '../shared/clients/dynamodb';
import { defaultOrganizationsClient } from '../shared/clients/organizations';
import { reattachOnce, type ReattachDependencies, type ReattachResult } from './reattach';

export interface ReattachInput {
  incident: Incident;
  executionArn: string;
}

/** ReattachPolicy: one attempt; the state machine owns the retries. */
export function createReattachHandler(deps: ReattachDependencies & { log?: (incidentId: string) => Log }) {
  return async (input: ReattachInput): Promise<ReattachResult> => {
    const log = (deps.log ?? lambdaLog)(input.incident.incidentId);
    try {
      const result = await reattachOnce(input.incident, input.executionArn, deps);
      log.info('reattach attempt succeeded', { ...result });
      return result;
    } catch (error) {
      log.warn('reattach attempt failed', { error: (error as Error).name, message: (error as Error).message });
      throw error;
    }
  };
}

const defaultHandler = once(() =>
  createReattachHandler({ organizations: defaultOrganizationsClient(), audit: new AuditStore(defaultDocumentClient(), requireEnv('TABLE_NAME')) }),
);
export const handler = (input: ReattachInput) => defaultHandler()(input);
