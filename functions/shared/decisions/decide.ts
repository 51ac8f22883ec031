import { SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { AuditStore } from '../audit/audit-store';
import { describeError, StatusRegressionError } from '../errors';
import { Decision, IncidentStatus, TimelineStep, type HumanDecision } from '../vocabulary';
import { DecisionAlreadyTakenError, type DecisionRequest, type DecisionStore } from './decision-store';
import { DEFAULT_OVERRIDE_BOUNDS, overrideDurationProblem, overrideEnd, type OverrideBounds } from './override-duration';

/** What the waiting workflow receives as the task's output. */
export interface DecisionOutput {
  decision: HumanDecision;
  by: string;
  reason?: string;
  at: string;
  via: DecisionChannel;
  /** For an OVERRIDE: when it ends (ISO 8601); then the pair is desired again. Never absent on one. */
  until?: string;
}

export type DecisionChannel = 'slack' | 'cli';

export interface DecideInput {
  decisionId: string;
  decision: HumanDecision;
  /** Who decides: a Slack user id, or the caller's IAM ARN for the CLI. */
  by: string;
  /**
   * For a Slack decision, the workspace (or Enterprise Grid organization) the interactions
   * endpoint verified `by` belongs to: a Slack user id names a person only together with it.
   */
  team?: string;
  reason?: string;
  /**
   * For an OVERRIDE: how long it lasts, in whole minutes, from MIN_OVERRIDE_MINUTES to the
   * rules' `overrides.maxHours`. @default the rules' `overrides.defaultHours`
   */
  forMinutes?: number;
  via: DecisionChannel;
}

export type DecideResult =
  | {
      status: 'accepted';
      request: DecisionRequest;
      output: DecisionOutput;
      /** Audit writes that failed; the decision reached the workflow all the same. */
      auditErrors?: string[];
      /** Step Functions refused a retried send of it: the first attempt most likely resumed the workflow, unconfirmed. */
      delivery?: 'unconfirmed';
    }
  | { status: 'already-decided'; request: DecisionRequest }
  | { status: 'expired'; request: DecisionRequest }
  | { status: 'unknown' }
  | { status: 'not-authorised'; request: DecisionRequest }
  | { status: 'reason-required' }
  /** The override's duration is out of bounds (or given with an APPROVE); `message` says why. */
  | { status: 'invalid-duration'; message: string };

/** Shows a taken decision to people (the Slack message); never throws. */
export type DecisionAnnouncer = (decided: { request: DecisionRequest; output: DecisionOutput }) => Promise<void>;

export interface DecideDependencies {
  decisions: DecisionStore;
  audit: AuditStore;
  sfn: SFNClient;
  /** Slack user ids allowed to decide in Slack, valid in `slackTeamId`. The CLI is authorised by IAM instead. */
  approvers: readonly string[];
  /**
   * The workspace the approvers' ids belong to (the rules' `notify.slackTeamId`): a Slack
   * decision is authorised only for the pair (this team, one of `approvers`). Without it, no
   * Slack decision is.
   */
  slackTeamId?: string;
  /**
   * Updates the incident's Slack message with the decision, whatever the channel it came from.
   * It runs before the workflow resumes, so the outcome's update always lands after it.
   */
  announce?: DecisionAnnouncer;
  /**
   * The rules' `overrides`. Without them, the bounds the decision request recorded apply, else
   * the rules' defaults (DEFAULT_OVERRIDE_BOUNDS).
   */
  overrides?: OverrideBounds;
  /** The longest the announcement may hold up the workflow. @default 1500 */
  announceBudgetMs?: number;
  clock?: () => Date;
}

/** Step Functions' answers for a token that can no longer be used. */
const EXPIRED_TOKEN_ERRORS = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

export const MAX_REASON_LENGTH = 1000;

const DEFAULT_ANNOUNCE_BUDGET_MS = 1500;

/** Waits for `work` at most `ms`; a slow or failing announcement never holds up the remediation. */
async function withinBudget(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    await Promise.race([work.catch(() => undefined), budget]);
  } finally {
    clearTimeout(timer);
  }
}

/** Longer than any decider can take to deliver a decision it recorded (a Lambda's timeout). */
export const DELIVERY_GRACE_MS = 30_000;

/**
 * A decision is recorded before it is sent to the waiting workflow; if that send failed (a
 * throttle, a Lambda timeout), the first decision would be stranded and the window's onTimeout
 * would override it. So every later attempt sends the recorded decision again while the
 * incident is still open: a second send of a delivered decision is refused as expired, harmlessly.
 */
async function alreadyDecided(request: DecisionRequest, deps: DecideDependencies, now: Date): Promise<DecideResult> {
  // A decision younger than this may still be on its way (the deciding Lambda has not timed out).
  const stranded = request.decidedAt !== undefined && now.getTime() - Date.parse(request.decidedAt) > DELIVERY_GRACE_MS;
  const incident = stranded ? await deps.audit.getIncident(request.incidentId) : undefined;
  if (incident !== undefined && incident.status !== IncidentStatus.CLOSED && request.decision !== undefined && request.decidedBy !== undefined) {
    const output: DecisionOutput = {
      decision: request.decision,
      by: request.decidedBy,
      reason: request.reason ?? undefined,
      at: request.decidedAt ?? now.toISOString(),
      via: /^(arn:|local:)/.test(request.decidedBy) ? 'cli' : 'slack',
      ...(request.until === undefined ? {} : { until: request.until }),
    };
    try {
      await deps.sfn.send(new SendTaskSuccessCommand({ taskToken: request.taskToken, output: JSON.stringify(output) }));
    } catch (error) {
      if (!(error instanceof Error && EXPIRED_TOKEN_ERRORS.has(error.name))) throw error;
    }
  }
  return { status: 'already-decided', request };
}

/** One refused attempt to decide, as the incident's timeline records it. */
export interface DecisionRefusal {
  /** Who tried: a Slack user id (or an IAM ARN)... */
  by: string;
  /** ...and, from Slack, the workspace that user belongs to. */
  team?: string;
  decision: HumanDecision;
  why: string;
  /** From Slack: where the attempt came from (workspace, organization, app, channel). */
  from?: Record<string, string | undefined>;
}

function withoutUndefined(values: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** Records a `decision-refused` step: who tried, from where, and why. */
export async function recordRefusal(audit: Pick<AuditStore, 'appendTimeline'>, incidentId: string, refusal: DecisionRefusal, at: string): Promise<void> {
  const who = refusal.team === undefined ? refusal.by : `${refusal.team}:${refusal.by}`;
  await audit.appendTimeline(incidentId, {
    step: TimelineStep.DECISION_REFUSED,
    occurrence: `${who}#${at}`,
    at,
    detail: {
      ...withoutUndefined({ by: refusal.by, team: refusal.team }),
      decision: refusal.decision,
      why: refusal.why,
      ...(refusal.from === undefined ? {} : { from: withoutUndefined(refusal.from) }),
    },
  });
}

/** Why a Slack decider is not authorised, or undefined when the pair (team, user) is an approver. */
function slackRefusal(input: DecideInput, deps: DecideDependencies): string | undefined {
  if (deps.slackTeamId === undefined) return 'Slack decisions are not configured (no notify.slackTeamId)';
  if (input.team !== deps.slackTeamId) return `not an approver: approvers are users of ${deps.slackTeamId}, not of ${input.team ?? 'an unnamed workspace'}`;
  if (!deps.approvers.includes(input.by)) return 'not an approver';
  return undefined;
}

/** When an override taken now ends, or why it cannot be taken; nothing for an APPROVE. */
function overrideTerm(input: DecideInput, bounds: OverrideBounds, now: Date): { until?: string } | { problem: string } {
  if (input.decision !== Decision.OVERRIDE) {
    return input.forMinutes === undefined ? {} : { problem: 'a duration goes with an override only: an approval reattaches the policy now' };
  }
  const minutes = input.forMinutes ?? bounds.defaultHours * 60;
  const problem = overrideDurationProblem(minutes, bounds);
  return problem === undefined ? { until: overrideEnd(now, minutes) } : { problem };
}

/**
 * Takes one person's decision on a waiting incident: the first decision wins, and the
 * waiting execution resumes with it. An override ends: at `forMinutes`, else after the rules'
 * `overrides.defaultHours`, never later than `overrides.maxHours`. Every refusal is an answer,
 * not an exception.
 */
export async function decide(input: DecideInput, deps: DecideDependencies): Promise<DecideResult> {
  const now = (deps.clock ?? (() => new Date()))();
  const reason = input.reason?.trim().slice(0, MAX_REASON_LENGTH) || undefined;
  if (input.decision === Decision.OVERRIDE && reason === undefined) return { status: 'reason-required' };

  const request = await deps.decisions.get(input.decisionId);
  if (request === undefined) return { status: 'unknown' };
  const refused = input.via === 'slack' ? slackRefusal(input, deps) : undefined;
  if (refused !== undefined) {
    await recordRefusal(deps.audit, request.incidentId, { by: input.by, team: input.team, decision: input.decision, why: refused }, now.toISOString());
    return { status: 'not-authorised', request };
  }
  if (request.decision !== undefined) return alreadyDecided(request, deps, now);
  if (Date.parse(request.deadline) <= now.getTime()) return { status: 'expired', request };
  const term = overrideTerm(input, deps.overrides ?? request.overrides ?? DEFAULT_OVERRIDE_BOUNDS, now);
  if ('problem' in term) return { status: 'invalid-duration', message: term.problem };
  const { until } = term;

  const at = now.toISOString();
  let recorded: DecisionRequest;
  try {
    recorded = await deps.decisions.record(input.decisionId, input.decision, input.by, at, reason, until);
  } catch (error) {
    if (error instanceof DecisionAlreadyTakenError) return alreadyDecided(error.existing, deps, now);
    throw error;
  }

  const output: DecisionOutput = { decision: input.decision, by: input.by, reason, at, via: input.via, ...(until === undefined ? {} : { until }) };
  // Act first, record after: the trail failing must not keep a taken decision from the workflow.
  const auditErrors: string[] = [];
  let advanced = true;
  try {
    await deps.audit.advance(
      request.incidentId,
      IncidentStatus.DECIDED,
      { decision: input.decision, decidedBy: input.by, decisionReason: reason, decidedAt: at, overriddenUntil: until },
      { step: TimelineStep.DECIDED, at, detail: { ...output, ...(input.team === undefined ? {} : { team: input.team }) } },
    );
  } catch (error) {
    advanced = false;
    // A regression means the incident already moved on (closed by the timeout); Step Functions will say so below.
    if (!(error instanceof StatusRegressionError)) auditErrors.push(`decided: ${describeError(error)}`);
  }
  // Only a decision that moved the incident is shown: a closed incident's message already
  // shows its outcome, and must not be redrawn as merely "decided".
  if (advanced && deps.announce !== undefined) await withinBudget(deps.announce({ request: recorded, output }), deps.announceBudgetMs ?? DEFAULT_ANNOUNCE_BUDGET_MS);
  try {
    await deps.sfn.send(new SendTaskSuccessCommand({ taskToken: request.taskToken, output: JSON.stringify(output) }));
  } catch (error) {
    if (!(error instanceof Error && EXPIRED_TOKEN_ERRORS.has(error.name))) throw error;
    // The SDK retried a send whose first answer was lost: that first attempt most likely
    // resumed the workflow (a task refuses a second answer), so this is not a refusal.
    const attempts = (error as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1;
    if (attempts > 1) return { status: 'accepted', request: recorded, output, delivery: 'unconfirmed', ...(auditErrors.length > 0 ? { auditErrors } : {}) };
    // Step Functions' timer started before RequestDecision stored the deadline, so it can close
    // a moment earlier: the decision recorded above did not take effect, and the trail says so.
    // Marked too late, so the workflow's check for a late decision does not apply it after all.
    await deps.decisions.markTooLate(input.decisionId);
    await recordRefusal(deps.audit, request.incidentId, { by: input.by, team: input.team, decision: input.decision, why: `too late: Step Functions answered ${error.name}` }, at);
    return { status: 'expired', request: recorded };
  }
  return { status: 'accepted', request: recorded, output, ...(auditErrors.length > 0 ? { auditErrors } : {}) };
}
