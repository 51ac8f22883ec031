import type { AuditStore } from '../../functions/shared/audit/audit-store';
import { toReport, type IncidentReport } from '../runner';
import type { ExecutionRecord } from '../workflow/local-workflow';

/** One incident as `scp-guardian local --json` prints it (contract: DESIGN.md, "The command"). */
export type IncidentDocument = Omit<IncidentReport, 'record'>;

/**
 * The executions a `local --serve` started (events, sweeps), each kept once it has ended: what
 * an incident document says of the execution that claimed it, and how many carried its event.
 */
export class EndedExecutions {
  private readonly ended = new Map<string, ExecutionRecord>();

  /** Keeps the execution when it ends; one that failed to run at all leaves nothing. */
  keep(result: Promise<ExecutionRecord>): void {
    result.then(
      (execution) => this.ended.set(execution.executionArn, execution),
      () => undefined,
    );
  }

  list(): ExecutionRecord[] {
    return [...this.ended.values()];
  }
}

/**
 * The incident document of `incidentId`, from the audit trail, or undefined when there is no such
 * incident. Its `execution` is null while the execution that claimed it still runs.
 */
export async function incidentDocument(
  audit: Pick<AuditStore, 'getIncident' | 'getTimeline'>,
  incidentId: string,
  executions: EndedExecutions,
  /** The incident each execution claimed, by execution ARN (LocalEnvironment.executionIncidents). */
  claimed: ReadonlyMap<string, string>,
): Promise<IncidentDocument | undefined> {
  const record = await audit.getIncident(incidentId);
  if (record === undefined) return undefined;
  const ended = executions.list();
  const { record: _record, ...document } = toReport(record, await audit.getTimeline(incidentId), ended);
  return { ...document, deliveries: ended.filter((execution) => claimed.get(execution.executionArn) === incidentId).length };
}
