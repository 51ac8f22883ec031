import type { IncidentRecord } from '../../functions/shared/audit/records';
import { Decision, IncidentStatus, OnTimeout, type HumanDecision } from '../../functions/shared/vocabulary';
import { decide, type DecideDependencies, type DecideResult } from '../../functions/shared/decisions/decide';

/** A decision named by incident id, as `scp-guardian decide` takes it. */
export interface IncidentDecisionInput {
  incidentId: string;
  decision: HumanDecision;
  /** The caller's identity: an IAM ARN against AWS, `local:USER` against the local endpoint. */
  by: string;
  reason?: string;
  /** For an override: how long it lasts, in minutes (`--for`). @default the rules' overrides.defaultHours */
  forMinutes?: number;
}

/** What became of it; `record` is the incident as it was found. */
export interface IncidentDecision {
  incidentId: string;
  record?: IncidentRecord;
  result: DecideResult | { status: 'no-such-incident' } | { status: 'not-waiting' };
}

/**
 * Decides a waiting incident from the command line: finds the incident's decision id and goes
 * through the same `decide()` as a Slack click, via 'cli' (authorised by IAM, not by the rules'
 * Slack approvers).
 */
export async function decideIncident(input: IncidentDecisionInput, deps: DecideDependencies): Promise<IncidentDecision> {
  const { incidentId } = input;
  if (input.decision === Decision.OVERRIDE && (input.reason ?? '').trim() === '') return { incidentId, result: { status: 'reason-required' } };
  const record = await deps.audit.getIncident(incidentId);
  if (record === undefined) return { incidentId, result: { status: 'no-such-incident' } };
  // A closed incident waits for nothing, whatever its decision request still says (docs/cli.md, `decide`).
  if (record.decisionId === undefined || record.status === IncidentStatus.CLOSED) return { incidentId, record, result: { status: 'not-waiting' } };
  const result = await decide({ decisionId: record.decisionId, decision: input.decision, by: input.by, reason: input.reason, forMinutes: input.forMinutes, via: 'cli' }, deps);
  return { incidentId, record, result };
}

/** One line for the person at the terminal, whether it worked, and the HTTP status that fits. */
export interface DecisionExplanation {
  ok: boolean;
  httpStatus: number;
  message: string;
}

function onTimeoutOf(record: IncidentRecord | undefined): string {
  return record?.incident.approval?.onTimeout ?? OnTimeout.REATTACH;
}

/** How a closed incident was decided, after its outcome: who and when, or that the window ran out. */
function howDecided(record: IncidentRecord): string {
  switch (record.decision) {
    case undefined:
    case Decision.AUTO:
      return '';
    case Decision.TIMEOUT:
      return `; nobody decided in time, so onTimeout (${onTimeoutOf(record)}) applied`;
    default:
      return `; ${record.decidedBy ?? 'someone'} decided ${record.decision} at ${record.decidedAt ?? 'an earlier time'}`;
  }
}

/** Explains an IncidentDecision in one line. */
export function explainDecision(decided: IncidentDecision): DecisionExplanation {
  const { incidentId, record, result } = decided;
  switch (result.status) {
    case 'accepted': {
      const { until } = result.output;
      const next =
        result.output.decision === Decision.APPROVE
          ? 'the workflow resumes and reattaches the policy'
          : `the policy stays detached until ${until ?? 'the override ends'}, then it is restored in its rule's mode`;
      return { ok: true, httpStatus: 200, message: `incident ${incidentId}: ${result.output.decision} recorded for ${result.output.by} at ${result.output.at}; ${next}` };
    }
    case 'no-such-incident':
      return { ok: false, httpStatus: 404, message: `no such incident: ${incidentId}` };
    case 'not-waiting':
      if (record?.status === IncidentStatus.CLOSED) {
        return {
          ok: false,
          httpStatus: 409,
          message: `incident ${incidentId} is not waiting for a decision: it closed at ${record.closedAt ?? 'an earlier time'} with outcome ${record.outcome ?? 'unknown'}${howDecided(record)}`,
        };
      }
      return { ok: false, httpStatus: 409, message: `incident ${incidentId} is not waiting for a decision (status ${record?.status ?? 'unknown'}, mode ${record?.mode ?? 'none'}): only approval-mode incidents wait` };
    case 'already-decided':
      return { ok: false, httpStatus: 409, message: `incident ${incidentId} was already decided by ${result.request.decidedBy ?? 'someone'} at ${result.request.decidedAt ?? 'an earlier time'} (${result.request.decision ?? 'decided'})` };
    case 'expired':
      return { ok: false, httpStatus: 409, message: `incident ${incidentId}: this request has expired (deadline ${result.request.deadline}); onTimeout (${onTimeoutOf(record)}) applies` };
    case 'unknown':
      return { ok: false, httpStatus: 409, message: `incident ${incidentId}: this request has expired (deadline ${record?.decisionDeadline ?? 'passed'}); onTimeout (${onTimeoutOf(record)}) applies` };
    case 'not-authorised':
      return { ok: false, httpStatus: 403, message: `incident ${incidentId}: not an approver` };
    case 'reason-required':
      return { ok: false, httpStatus: 400, message: '--override needs --reason: say why the policy stays detached (it goes into the audit trail)' };
    case 'invalid-duration':
      return { ok: false, httpStatus: 400, message: `incident ${incidentId}: ${result.message}` };
  }
}
