import { AuditStore } from '../shared/audit/audit-store';
import type { Closure } from '../shared/incident';
import { lambdaLog, type Log } from '../shared/log';
import { once, requireEnv } from '../shared/runtime';
import { defaultDocumentClient } from '../shared/clients/dynamodb';
import { closeIncident, type CloseInput } from './close';

/** CloseIncident: the outcome onto the incident, which then never changes again. */
export function createCloseHandler(deps: { audit: AuditStore; clock?: () => Date; log?: (incidentId: string) => Log }) {
  return async (input: CloseInput): Promise<Closure> => {
    const closure = await closeIncident(input, deps.audit, deps.clock);
    (deps.log ?? lambdaLog)(input.incident.incidentId).info('closed', { ...closure });
    return closure;
  };
}

const defaultHandler = once(() => createCloseHandler({ audit: new AuditStore(defaultDocumentClient(), requireEnv('TABLE_NAME')) }));
export const handler = (input: CloseInput) => defaultHandler()(input);
