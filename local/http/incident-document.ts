import type { AuditStore } from '../../functions/shared/audit/audit-store';
import type { IncidentRecord } from '../../functions/shared/audit/records';
import { toReport, type IncidentReport } from '../runner';
import type { ExecutionRecord } from '../workflow/local-workflow';

/** One incident as `scp-guardian local --json` prints it (contract: docs/contracts.md, "`local --json`"). */
export type IncidentDocument = Omit<IncidentReport, 'record'>;

/** How many ended executions a `local --serve` keeps in memory; older ones are in the audit trail only. */
export const ENDED_EXECUTIONS_KEPT = 1_000;

/**
 * The executions a `local --serve` started (events, sweeps), each kept once it has ended: what
 * an incident document says of the execution that claimed it, and how many carried its event.
 * Only the last `limit` ended are kept: a server left running does not grow without bound.
 */
export class EndedExecutions {
  private readonly ended = new Map<string, ExecutionRecord>();

  constructor(private readonly limit: number = ENDED_EXECUTIONS_KEPT) {}

  /** Keeps the execution when it ends; one that failed to run at all leaves nothing. */
  keep(result: Promise<ExecutionRecord>): void {
    result.then(
      (execution) => this.add(execution),
      () => undefined,
    );
  }

  private add(execution: ExecutionRecord): void {
    this.ended.delete(execution.executionArn);
    this.ended.set(execution.executionArn, execution);
    // A Map iterates in insertion order: the first key is the one that ended longest ago.
    for (const arn of this.ended.keys()) {
      if (this.ended.size <= this.limit) break;
      this.ended.delete(arn);
    }
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
  return record === undefined ? undefined : documentOf(audit, record, executions, claimed);
}

/** The incident document of each record, in their order: `GET /incidents` has the same shape as `GET /incidents/ID`. */
export function incidentDocuments(
  audit: Pick<AuditStore, 'getTimeline'>,
  records: readonly IncidentRecord[],
  executions: EndedExecutions,
  claimed: ReadonlyMap<string, string>,
): Promise<IncidentDocument[]> {
  return Promise.all(records.map((record) => documentOf(audit, record, executions, claimed)));
}

async function documentOf(audit: Pick<AuditStore, 'getTimeline'>, record: IncidentRecord, executions: EndedExecutions, claimed: ReadonlyMap<string, string>): Promise<IncidentDocument> {
  const ended = executions.list();
  const { record: _record, ...document } = toReport(record, await audit.getTimeline(record.incidentId), ended);
  return { ...document, deliveries: ended.filter((execution) => claimed.get(execution.executionArn) === record.incidentId).length };
}
