import { AuditStore } from '../shared/audit/audit-store';
import type { Incident } from '../shared/incident';
import { lambdaLog, type Log } from '../shared/log';
import { lambdaHandler } from '../shared/lambda-handler';
import { requireEnv } from '../shared/runtime';
import { claimDocumentClient } from '../shared/clients/dynamodb';

export interface ClaimInput {
  incident: Incident;
  executionArn: string;
}

/**
 * ClaimIncident: records the incident under its CloudTrail eventID, once. A redelivered event
 * throws DuplicateIncident, which the workflow catches and stops on.
 */
export function createClaimHandler(deps: { audit: AuditStore; log?: (incidentId: string) => Log }) {
  return async (input: ClaimInput): Promise<{ claimed: true }> => {
    const log = (deps.log ?? lambdaLog)(input.incident.incidentId);
    try {
      await deps.audit.claimIncident(input.incident, input.executionArn);
    } catch (error) {
      log.info('not claimed', { error: (error as Error).name });
      throw error;
    }
    log.info('claimed', { executionArn: input.executionArn });
    return { claimed: true };
  };
}

export const handler = lambdaHandler(() => createClaimHandler({ audit: new AuditStore(claimDocumentClient(), requireEnv('TABLE_NAME')) }));
