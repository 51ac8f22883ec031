import { AuditStore } from '../shared/audit/audit-store';
import { DesiredStateStore } from '../shared/desired/desired-store';
import type { Incident } from '../shared/incident';
import { lambdaLog, type Log } from '../shared/log';
import { lambdaHandler } from '../shared/lambda-handler';
import { requireEnv, rulesFromEnvironment } from '../shared/runtime';
import { defaultDocumentClient } from '../shared/clients/dynamodb';
import { defaultOrganizationsClient } from '../shared/clients/organizations';
import { attachOnce, confirmOnce, type AttachRequest, type AttachResult, type ReattachDependencies, type ReattachResult } from './reattach';

/** ReattachPolicy (`phase: "attach"`) and ConfirmAttachment (`phase: "confirm"`, with the attach result). */
export type ReattachInput =
  | ({ phase: 'attach'; incident: Incident; executionArn: string } & AttachRequest)
  | { phase: 'confirm'; incident: Incident; executionArn: string; attach: AttachResult };

/** One attempt of either step; the state machine owns the retries. */
export function createReattachHandler(deps: ReattachDependencies & { log?: (incidentId: string) => Log }) {
  return async (input: ReattachInput): Promise<AttachResult | ReattachResult> => {
    const log = (deps.log ?? lambdaLog)(input.incident.incidentId);
    try {
      const result =
        input.phase === 'confirm' ? await confirmOnce(input.incident, input.executionArn, input.attach, deps) : await attachOnce(input.incident, input.executionArn, deps, input);
      if (result.auditErrors !== undefined) log.error('the audit trail missed a step', { phase: input.phase, auditErrors: result.auditErrors });
      log.info(`${input.phase} succeeded`, { ...result });
      return result;
    } catch (error) {
      log.warn(`${input.phase} failed`, { error: (error as Error).name, message: (error as Error).message });
      throw error;
    }
  };
}

export const handler = lambdaHandler(() =>
  createReattachHandler({
    organizations: defaultOrganizationsClient(),
    audit: new AuditStore(defaultDocumentClient(), requireEnv('TABLE_NAME')),
    desired: new DesiredStateStore(defaultDocumentClient(), requireEnv('TABLE_NAME')),
    deadlineSeconds: rulesFromEnvironment().remediation.deadlineMinutes * 60,
  }),
);
