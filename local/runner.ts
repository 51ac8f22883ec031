import type { IncidentRecord, TimelineEntry } from '../functions/shared/audit/records';
import { toIncidentRecord } from '../functions/shared/audit/records';
import { describeError, ErrorName } from '../functions/shared/errors';
import type { Incident, RestoreAction, RestoreReport } from '../functions/shared/incident';
import type { ProtectionRules } from '../functions/shared/rules/protection-rules';
import { Decision, IncidentStatus, Source, type HumanDecision } from '../functions/shared/vocabulary';
import { finishLocalCanary, startLocalCanary, type LocalCanarySummary } from './canary';
import { LocalEnvironment, type LocalEnvironmentOptions } from './environment';
import type { ReplayEvent } from './event-files';
import type { OrganizationFile } from './stand-ins/organizations/organization-file';
import { ChangeReplayer } from './replay';
import { sweepLine } from './report';
import type { SweepResult } from '../functions/sweep/result';
import type { ExecutionRecord } from './workflow/local-workflow';

/** Past this many events, each progress line of a replay says how far it is (`[3/15]`). */
export const FEW_EVENTS = 3;

/** Who answers approval requests in a local run (`--decision`). */
export const LOCAL_DECIDER = 'local-operator (--decision)';

export type LocalDecision = 'approve' | 'override' | 'none';

export interface LocalRunOptions extends Pick<LocalEnvironmentOptions, 'faults' | 'organizationsEndpoint' | 'slack' | 'log' | 'onPublish' | 'retryIntervalOverrides' | 'dynamoDbEndpoint' | 'dataDir' | 'dynamoDbFaults'> {
  rules: ProtectionRules;
  organization?: OrganizationFile;
  events: ReplayEvent[];
  decision: LocalDecision;
  reason?: string;
  /** With --decision override: how long each override lasts, in minutes (`--for`). @default the rules' overrides.defaultHours */
  overrideMinutes?: number;
  /** With --decision none: the approval window, shortened so the run ends. */
  approvalTimeoutSeconds: number;
  /** Progress lines for people (stderr). */
  progress?: (line: string) => void;
  /** One line per replayed event (stderr); default: `progress`. */
  eventProgress?: (line: string) => void;
  /** After the events, run the canary once (`local --canary`): the rules must have `canary`. */
  canary?: boolean;
  /** After the replays (and the canary), sweep once more and wait for the drift executions (`local --sweep`). */
  sweep?: boolean;
}

/** One incident as `scp-guardian local --json` prints it (contract: docs/contracts.md, "`local --json`"). */
export interface IncidentReport {
  incidentId: string;
  kind: string | null;
  source: string;
  verdict: string;
  mode: string | null;
  decision: string | null;
  outcome: string | null;
  policyId: string | null;
  targetId: string | null;
  actor: string | null;
  timeline: { at: string; step: string; detail: Record<string, unknown> }[];
  status: string;
  reason: string;
  decidedBy: string | null;
  /** For an OVERRIDDEN incident: when the override ends, and the pair is desired again. */
  overriddenUntil: string | null;
  cause: string | null;
  /** A kind other than DETACHED: every write of the restoration, in order. */
  actions: RestoreAction[] | null;
  /** POLICY_CHANGED and POLICY_DELETED: the diff, the last known content, the targets it was desired on. */
  report: RestoreReport | null;
  /** The execution that claimed the incident: how long it ran, how many transitions and Lambda calls. */
  execution: {
    executionArn: string;
    status: string;
    durationSeconds: number;
    stateTransitions: number;
    lambdaInvocations: number;
    retries: number;
    /** Up to the first AttachPolicy, that call's own Lambda invocation included (local/workflow/local-workflow.ts); null when it never attached. */
    beforeFirstAttach: { stateTransitions: number; lambdaInvocations: number } | null;
  } | null;
  /** Every execution that carried this CloudTrail event (duplicates included). */
  deliveries: number;
  record: IncidentRecord;
}

export interface LocalRunReport {
  incidents: IncidentReport[];
  attachCalls: number;
  organization: OrganizationFile | null;
  notes: string[];
  /** True when every incident reached an outcome. */
  complete: boolean;
  /** Incidents whose execution failed because the audit trail could not record every step. */
  unrecorded: string[];
  /** With `canary`: how the canary went. */
  canary?: LocalCanarySummary;
  /** Every sweep of the run: the one it starts with, and with `sweep`, the one after the replays. */
  sweeps: SweepResult[];
  /** The events replayed, and how many of them were not JSON (each replayed all the same, as INVALID). */
  inputs: { events: number; unreadable: number };
}

const seconds = (execution: ExecutionRecord) => (Date.parse(execution.stoppedAt) - Date.parse(execution.startedAt)) / 1000;

/** The workflow's own state, for an incident the audit store never recorded (the execution carried it all the same). */
interface CarriedState {
  incident: Incident;
  decision?: { decision: string; by?: string; reason?: string; until?: string };
  result?: { outcome?: string; detail?: { cause?: string; error?: string; actions?: RestoreAction[]; report?: RestoreReport } };
}

/** An incident the audit store could not record, as the execution that handled it last saw it. */
function fromExecutionState(state: CarriedState, execution: ExecutionRecord): IncidentReport {
  const { incident } = state;
  const record: IncidentRecord = { ...toIncidentRecord(incident, execution.executionArn), status: IncidentStatus.CLOSED };
  return {
    ...toReport(record, [], [execution]),
    status: 'NOT RECORDED',
    decision: state.decision?.decision ?? null,
    decidedBy: state.decision?.by ?? null,
    overriddenUntil: state.decision?.until ?? null,
    outcome: state.result?.outcome ?? null,
    cause: state.result?.detail?.cause ?? null,
    actions: state.result?.detail?.actions ?? null,
    report: state.result?.detail?.report ?? null,
  };
}

/** One stored incident as the report has it (`deliveries` left at 0 for the caller to count); `local --serve` answers it too. */
export function toReport(record: IncidentRecord, timeline: TimelineEntry[], executions: ExecutionRecord[]): IncidentReport {
  const claimed = executions.find((execution) => execution.executionArn === record.executionArn);
  return {
    incidentId: record.incidentId,
    kind: record.kind ?? null,
    source: record.source ?? Source.EVENT,
    verdict: record.verdict,
    mode: record.mode ?? null,
    decision: record.decision ?? null,
    outcome: record.outcome ?? null,
    policyId: record.policyId ?? null,
    targetId: record.targetId ?? null,
    actor: record.actorArn ?? null,
    timeline: timeline.map(({ at, step, detail }) => ({ at, step, detail })),
    status: record.status,
    reason: record.reason,
    decidedBy: record.decidedBy ?? null,
    overriddenUntil: record.overriddenUntil ?? null,
    cause: record.cause ?? null,
    actions: record.actions ?? null,
    report: record.report ?? null,
    execution:
      claimed === undefined
        ? null
        : {
            executionArn: claimed.executionArn,
            status: claimed.status,
            durationSeconds: seconds(claimed),
            stateTransitions: claimed.stateTransitions,
            lambdaInvocations: claimed.lambdaInvocations,
            retries: claimed.retries,
            beforeFirstAttach: claimed.beforeFirstAttach ?? null,
          },
    deliveries: 0,
    record,
  };
}

/**
 * `scp-guardian local`: replays events through the real workflow on local components and
 * reports every incident with its timeline. Each event's change (a detachment, a disabled type,
 * a moved account, ...) is applied to the local organization first, as reality would have
 * applied it (local/replay.ts).
 */
export async function runLocal(options: LocalRunOptions): Promise<LocalRunReport> {
  const progress = options.progress ?? (() => {});
  const eventProgress = options.eventProgress ?? progress;
  const notes: string[] = [];
  if (options.decision === 'none') {
    notes.push(
      `approval windows shortened from ${options.rules.approval.timeoutMinutes} min to ${options.approvalTimeoutSeconds} s for this local run; then onTimeout (${options.rules.approval.onTimeout}) applies`,
    );
  }
  const decision: HumanDecision | undefined =
    options.decision === 'approve' ? Decision.APPROVE : options.decision === 'override' ? Decision.OVERRIDE : undefined;
  const reason = options.reason ?? (decision === Decision.OVERRIDE ? 'local run: --decision override' : undefined);

  let environment: LocalEnvironment | undefined;
  const decisions: Promise<unknown>[] = [];
  try {
    environment = await LocalEnvironment.start({
      ...options,
      approvalTimeoutSeconds: options.decision === 'none' ? options.approvalTimeoutSeconds : undefined,
      onDecisionRequested: ({ incidentId, decisionId }) => {
        if (decision === undefined) {
          progress(`${incidentId}: waiting for a decision (none will come: --decision none)`);
          return;
        }
        progress(`${incidentId}: decision requested, answering ${decision} as ${LOCAL_DECIDER}`);
        decisions.push(
          environment!
            .decide({ decisionId, decision, by: LOCAL_DECIDER, reason, forMinutes: decision === Decision.OVERRIDE ? options.overrideMinutes : undefined, via: 'cli' })
            .then((result) => result.status !== 'accepted' && notes.push(`${incidentId}: decision not taken: ${result.status}`))
            .catch((error) => notes.push(`${incidentId}: decision failed: ${describeError(error)}`)),
        );
      },
    });
    const env = environment;
    if (env.organization === undefined) notes.push(`Organizations endpoint ${options.organizationsEndpoint}: the changes in the events were not applied to it`);

    // One event at a time, as they would arrive: each change is applied, then handled.
    const replayer = env.organization === undefined ? undefined : new ChangeReplayer(env.organization);
    const executions: ExecutionRecord[] = [];
    const sweeps: SweepResult[] = [];
    const sweep = async (label: string) => {
      try {
        const swept = await env.sweep();
        sweeps.push(swept.result);
        progress(`${label}: ${sweepLine(swept.result)}`);
        executions.push(...(await Promise.all(swept.executions)));
      } catch (error) {
        notes.push(`${label} failed: ${describeError(error)}`);
      }
    };
    // Like a fresh deployment, every run first sweeps once, so the desired state knows what the
    // organization file has attached (docs/contracts.md, "`local --json`").
    await sweep('initial sweep');
    const count = options.events.length;
    for (const [index, event] of options.events.entries()) {
      const applied = replayer?.apply(event.envelope);
      // More than a few events: each line says how far the replay is.
      const where = count > FEW_EVENTS ? `[${index + 1}/${count}] ${event.source}` : event.source;
      if (applied !== undefined) {
        eventProgress(`${where}: ${applied.applied ? `applied to the local organization: ${applied.change}` : `organization unchanged (${applied.why})`}`);
      } else if (count > FEW_EVENTS) eventProgress(`${where}: replaying`);
      // The time to remediate counts from here, not from the event's own (past) time.
      executions.push(await env.run(event.envelope, undefined, { appliedAt: applied?.at ?? new Date().toISOString() }).result);
    }
    let canary: LocalCanarySummary | undefined;
    if (options.canary === true) {
      const started = await startLocalCanary(env, options.rules, progress);
      // A refusal is told once, in the canary's summary.
      if (started.execution !== undefined) executions.push(await started.execution.result);
      canary = started.summary;
    }
    if (options.sweep === true) await sweep('sweep after the replays');
    await Promise.all(decisions);

    const byIncident = new Map<string, IncidentReport>();
    const unrecorded: string[] = [];
    for (const execution of executions) {
      const incidentId = env.executionIncidents.get(execution.executionArn);
      if (incidentId === undefined) {
        notes.push(`${execution.executionArn}: ${execution.error ?? 'ended'} before claiming an incident: ${execution.cause ?? ''}`);
        continue;
      }
      if (execution.error === ErrorName.AUDIT_TRAIL_INCOMPLETE && !unrecorded.includes(incidentId)) unrecorded.push(incidentId);
      let report = byIncident.get(incidentId);
      if (report === undefined) {
        // What was really written, past any --dynamodb-faults proxy.
        const record = await env.trueAudit.getIncident(incidentId);
        const carried = (execution.lastState as CarriedState | undefined)?.incident === undefined ? undefined : (execution.lastState as CarriedState);
        if (record === undefined && carried === undefined) continue;
        report = record === undefined ? fromExecutionState(carried as CarriedState, execution) : toReport(record, await env.trueAudit.getTimeline(incidentId), executions);
        byIncident.set(incidentId, report);
      }
      report.deliveries++;
    }
    const incidents = [...byIncident.values()];
    const ended = (i: IncidentReport) => i.outcome !== null && (i.status === IncidentStatus.CLOSED || i.status === 'NOT RECORDED');
    return {
      incidents,
      attachCalls: env.attachCalls,
      organization: env.organization?.toJSON() ?? null,
      notes,
      complete: incidents.length > 0 && executions.length > 0 && incidents.every(ended),
      unrecorded,
      sweeps,
      // readEventFile hands over a file that is not JSON as its text.
      inputs: { events: options.events.length, unreadable: options.events.filter((event) => typeof event.envelope === 'string').length },
      ...(canary === undefined ? {} : { canary: await finishLocalCanary(env, canary) }),
    };
  } finally {
    await environment?.stop();
  }
}
