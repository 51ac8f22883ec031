import type { AuditQueries } from '../shared/audit/queries';
import type { IncidentRecord } from '../shared/audit/records';
import { IncidentStatus } from '../shared/vocabulary';

/** What the audit trail says about one pair, for the sweep. */
export interface PairIncidents {
  /** The pair's newest incident. */
  latest?: IncidentRecord;
  /** An incident that is not CLOSED and younger than the execution timeout: its execution may still restore the pair. */
  open?: IncidentRecord;
}

/**
 * The pair's incidents, newest first, by a Query on one index (the planner of `audit list` picks
 * byTarget for a policy and a target, with the policy as a filter: a target sees far fewer
 * incidents than a `"targets": "*"` policy does), never a Scan. Reading stops at the first open
 * incident, or at the first one too old to be open, which is past the execution timeout.
 */
export async function pairIncidents(queries: AuditQueries, policyId: string, targetId: string, now: Date, openForSeconds: number): Promise<PairIncidents> {
  const found: PairIncidents = {};
  for await (const record of queries.all({ policyId, targetId }, now)) {
    found.latest ??= record;
    const young = now.getTime() - Date.parse(record.detectedAt) < openForSeconds * 1000;
    if (!young) break;
    if (record.status !== IncidentStatus.CLOSED) {
      found.open = record;
      break;
    }
  }
  return found;
}
