import aslValidator from 'asl-validator';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorName, LAMBDA_SERVICE_ERRORS, ROUND_ONLY_ERRORS, TRANSIENT_DYNAMODB_INTEGRATION_ERRORS, TRANSIENT_ORGANIZATIONS_ERRORS } from '../../../functions/shared/errors';
import { Decision, Kind, Mode, OnTimeout, Outcome, Verdict } from '../../../functions/shared/vocabulary';
import { ASL_FILE, WORKFLOW_FUNCTIONS } from '../../../functions/shared/workflow-functions';
import { loadDefinition } from '../../../local/workflow/local-workflow';
import { SDK_INTEGRATION_PREFIX } from '../../../local/workflow/sdk-integrations';
import { PROJECT_ROOT } from '../../../cli/project-root';

type State = Record<string, unknown> & { Type: string; Branches?: { States: Record<string, State> }[] };

const root = PROJECT_ROOT;
const text = readFileSync(join(root, ASL_FILE), 'utf8');
const { definition } = loadDefinition(root);

function allStates(states: Record<string, State>): [string, State][] {
  return Object.entries(states).flatMap(([name, state]) => [[name, state] as [string, State], ...(state.Branches ?? []).flatMap((b) => allStates(b.States))]);
}
const states = allStates((definition as { States: Record<string, State> }).States);
const state = (name: string) => states.find(([n]) => n === name)?.[1] as State;

/** Every `Variable` / value pair compared in Choice states, Parallel branches included. */
function comparisons(): { variable: string; value: unknown }[] {
  const found: { variable: string; value: unknown }[] = [];
  const walk = (rule: Record<string, unknown>) => {
    for (const nested of [...((rule.And as never[]) ?? []), ...((rule.Or as never[]) ?? []), ...(rule.Not ? [rule.Not as never] : [])]) walk(nested);
    if (typeof rule.Variable === 'string' && 'StringEquals' in rule) found.push({ variable: rule.Variable, value: rule.StringEquals });
  };
  for (const [, s] of states) if (s.Type === 'Choice') (s.Choices as Record<string, unknown>[]).forEach(walk);
  return found;
}

describe('statemachine/remediation.asl.json', () => {
  it('passes asl-validator once its placeholders are filled', () => {
    const result = aslValidator(definition);

    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('has one placeholder for each workflow function and no other', () => {
    const placeholders = new Set([...text.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1]));

    expect([...placeholders].sort()).toEqual(Object.keys(WORKFLOW_FUNCTIONS).sort());
  });

  it('compares only values from the vocabulary module', () => {
    const allowed: Record<string, readonly string[]> = {
      '$.incident.verdict': Object.values(Verdict),
      '$.incident.kind': Object.values(Kind),
      '$.incident.mode': Object.values(Mode),
      '$.decision.decision': Object.values(Decision),
      '$.incident.approval.onTimeout': Object.values(OnTimeout),
      '$.result.outcome': Object.values(Outcome),
      '$.lastError.Error': Object.values(ErrorName),
      '$.claimError.Error': [...TRANSIENT_DYNAMODB_INTEGRATION_ERRORS, ErrorName.STATES_TIMEOUT],
    };

    for (const { variable, value } of comparisons()) {
      expect(allowed[variable]).toBeDefined();
      expect(allowed[variable]).toContain(value);
    }
  });

  it('names only errors defined in the errors module', () => {
    const known = new Set<string>([...Object.values(ErrorName), ...LAMBDA_SERVICE_ERRORS, ...TRANSIENT_DYNAMODB_INTEGRATION_ERRORS]);
    const named = states.flatMap(([, s]) => [...((s.Retry as { ErrorEquals: string[] }[]) ?? []), ...((s.Catch as { ErrorEquals: string[] }[]) ?? [])].flatMap((r) => r.ErrorEquals));

    const failErrors = states.filter(([, s]) => s.Type === 'Fail').map(([, s]) => s.Error as string);

    expect(named.filter((name) => !known.has(name))).toEqual([]);
    expect(failErrors.filter((name) => !known.has(name))).toEqual([]);
  });

  it('retries an unadmitted reattachment on throttling, service errors and concurrent modification with capped, fully jittered backoff', () => {
    const retriers = state('ReattachUnadmitted').Retry as Record<string, unknown>[];
    const retrierOf = (error: string) => retriers.filter((r) => (r.ErrorEquals as string[]).includes(error));

    for (const error of TRANSIENT_ORGANIZATIONS_ERRORS) {
      expect(retrierOf(error)).toHaveLength(1);
      expect(retrierOf(error)[0]).toMatchObject({ JitterStrategy: 'FULL', BackoffRate: 2, MaxDelaySeconds: expect.any(Number) });
    }
  });

  // An admitted ReattachPolicy answers a throttle with a new slot (below), not with its own retry.
  it.each([
    ['ReattachPolicy', [ErrorName.ORG_THROTTLED]],
    ['ReattachUnadmitted', []],
    ['RestoreProtection', []],
  ] as const)('retries every transient Organizations error in %s, then sends it (and a blocked restore) to the rounds of retries', (name, readmitted) => {
    const retried = (state(name).Retry as { ErrorEquals: string[] }[]).flatMap((r) => r.ErrorEquals);
    const catches = state(name).Catch as { ErrorEquals: string[]; Next: string }[];
    const toRounds = catches.find((c) => c.Next === 'NoteRetryRound')?.ErrorEquals ?? [];

    expect(retried).toEqual(expect.arrayContaining(TRANSIENT_ORGANIZATIONS_ERRORS.filter((error) => !(readmitted as readonly string[]).includes(error))));
    expect(toRounds).toEqual(expect.arrayContaining([...TRANSIENT_ORGANIZATIONS_ERRORS, ...ROUND_ONLY_ERRORS]));
    expect(TRANSIENT_ORGANIZATIONS_ERRORS).toContain(ErrorName.ORG_POLICY_CHANGES_IN_PROGRESS);
    // Retried at once, it would spend the round's attempts: only the rounds' pause lets another change lift it.
    expect(retried.filter((error) => (ROUND_ONLY_ERRORS as readonly string[]).includes(error))).toEqual([]);
  });

  it('caps the backoff on throttling shorter than on service errors, so a storm keeps the rate limit busy', () => {
    const retriers = state('ReattachUnadmitted').Retry as Record<string, unknown>[];
    const capOf = (error: string) => retriers.find((r) => (r.ErrorEquals as string[]).includes(error))?.MaxDelaySeconds as number;

    expect(capOf(ErrorName.ORG_THROTTLED)).toBeLessThan(capOf(ErrorName.ORG_SERVICE));
  });

  it('does not retry an admitted reattachment on its own timer when throttled: it reports the throttle and takes a new slot', () => {
    const retried = (state('ReattachPolicy').Retry as { ErrorEquals: string[] }[]).flatMap((r) => r.ErrorEquals);
    const catches = state('ReattachPolicy').Catch as { ErrorEquals: string[]; Next: string }[];

    expect(retried).not.toContain(ErrorName.ORG_THROTTLED);
    expect(catches[0]).toMatchObject({ ErrorEquals: [ErrorName.ORG_THROTTLED], Next: 'IsReadmissionDue' });
    expect(state('IsReadmissionDue')).toMatchObject({ Default: 'ReadmitAttachment', Choices: [expect.objectContaining({ Next: 'NoteRetryRound' })] });
    for (const [name, retriers] of [['ReattachPolicy', state('ReattachPolicy').Retry], ['ReattachUnadmitted', state('ReattachUnadmitted').Retry]] as const) {
      const service = (retriers as { ErrorEquals: string[] }[]).find((r) => r.ErrorEquals.includes(ErrorName.ORG_SERVICE));
      expect([name, service]).toEqual([name, expect.objectContaining({ JitterStrategy: 'FULL', MaxDelaySeconds: 30 })]);
    }
  });

  it('goes on without a slot whenever the admission fails: it never stops a reattachment', () => {
    for (const name of ['AdmitAttachment', 'ReadmitAttachment']) {
      expect(state(name).Catch).toEqual([expect.objectContaining({ ErrorEquals: [ErrorName.STATES_ALL], Next: 'ReattachUnadmitted' })]);
    }
    expect(state('CheckAdmission').Catch).toEqual([expect.objectContaining({ ErrorEquals: [ErrorName.STATES_ALL], Next: 'ReattachPolicy' })]);
    expect(state('WaitForSlot')).toMatchObject({ TimestampPath: '$.admission.waitUntil', Next: 'CheckAdmission' });
    expect(state('ReattachUnadmitted').Next).toBe('ConfirmAttachment');
    expect(state('ReattachPolicy').Next).toBe('ConfirmAttachment');
  });

  it('gives the admission what ReattachPolicy counts the remediation deadline from, so no slot is handed out past it', () => {
    const reattach = state('ReattachPolicy').Parameters as Record<string, string>;
    for (const name of ['AdmitAttachment', 'CheckAdmission', 'ReadmitAttachment']) {
      const parameters = state(name).Parameters as Record<string, string>;
      expect([name, parameters]).toEqual([name, expect.objectContaining({ 'startedAt.$': reattach['startedAt.$'], 'decision.$': reattach['decision.$'], 'incident.$': '$.incident' })]);
    }
  });

  it('retries every Lambda task on Lambda service errors', () => {
    const lambdaTasks = states.filter(([, s]) => s.Type === 'Task' && !String(s.Resource).startsWith(SDK_INTEGRATION_PREFIX));

    for (const [, task] of lambdaTasks) {
      const errors = (task.Retry as { ErrorEquals: string[] }[]).flatMap((r) => r.ErrorEquals);
      expect(errors).toEqual(expect.arrayContaining([...LAMBDA_SERVICE_ERRORS]));
    }
  });

  it('waits for a decision no longer than the window the rules set', () => {
    expect(state('RequestDecision')).toMatchObject({
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      TimeoutSecondsPath: '$.incident.approval.timeoutSeconds',
    });
    expect(state('RequestDecision').Catch).toEqual([
      expect.objectContaining({ ErrorEquals: [ErrorName.STATES_TIMEOUT], Next: 'CheckForLateDecision' }),
      expect.objectContaining({ ErrorEquals: [ErrorName.DUPLICATE_INCIDENT], Next: 'StopDuplicate' }),
      expect.objectContaining({ ErrorEquals: [ErrorName.STATES_ALL], Next: 'DecisionFailed' }),
    ]);
    expect(state('CheckForLateDecision').Catch).toEqual([expect.objectContaining({ ErrorEquals: [ErrorName.STATES_ALL], Next: 'DecisionTimedOut' })]);
  });

  it('restores the protection when the request for a decision fails for any reason but the window running out', () => {
    const failed = state('DecisionFailed') as State & { Parameters: Record<string, unknown>; Next: string };

    expect(failed.Parameters).toMatchObject({ decision: Decision.AUTO });
    expect(failed.Next).toBe('Remediate');
  });

  it('catches every error of every Task state, so no execution ends without a recorded outcome', () => {
    const tasks = states.filter(([, s]) => s.Type === 'Task');

    const uncaught = tasks.filter(([, task]) => !((task.Catch as { ErrorEquals: string[] }[] | undefined) ?? []).some((c) => c.ErrorEquals.includes(ErrorName.STATES_ALL)));

    expect(uncaught.map(([name]) => name)).toEqual([]);
  });

  it('sends a detachment, and a missing pair the sweep found, to the admission before any AttachPolicy, and every other kind to RestoreProtection', () => {
    const choose = state('ChooseRestore') as State & { Choices: { Next: string }[]; Default: string };

    expect(choose.Choices.every((choice) => choice.Next === 'IsAdmissionHeld')).toBe(true);
    expect(state('IsAdmissionHeld')).toMatchObject({
      Default: 'AdmitAttachment',
      Choices: [expect.objectContaining({ Next: 'IsAdmitted' }), expect.objectContaining({ Next: 'ReattachUnadmitted' })],
    });
    expect(state('IsAdmitted')).toMatchObject({ Default: 'WaitForSlot', Choices: [expect.objectContaining({ Next: 'AttachPolicy' }), expect.objectContaining({ Next: 'ReattachPolicy' })] });
    expect(choose.Default).toBe('RestoreProtection');
    expect(state('WaitBeforeRetrying').Next).toBe('ChooseRestore');
  });

  it('makes the first AttachPolicy itself, and sends any error of it to the reattach function (a throttle through the shared schedule)', () => {
    expect(state('AttachPolicy')).toMatchObject({
      Resource: `${SDK_INTEGRATION_PREFIX}organizations:attachPolicy`,
      Parameters: { 'PolicyId.$': '$.incident.policy.id', 'TargetId.$': '$.incident.target.id' },
      Next: 'ConfirmAttachment',
      Catch: [
        expect.objectContaining({ ErrorEquals: [ErrorName.ORG_DUPLICATE_ATTACHMENT], Next: 'FoundAttachedAtFirstAttempt' }),
        expect.objectContaining({ ErrorEquals: [ErrorName.STATES_ALL], ResultPath: '$.retry.firstAttempt', Next: 'NoteFirstAttemptError' }),
      ],
    });
    expect(state('AttachPolicy').Retry).toBeUndefined();
    expect(state('WasFirstAttemptThrottled')).toMatchObject({ Default: 'ReattachPolicy', Choices: [{ StringEquals: ErrorName.ORG_THROTTLED, Next: 'IsReadmissionDue' }] });
  });

  it('bounds every direct Task state by a timeout, as a hung call would otherwise hold it for the default 60 s', () => {
    const direct = states.filter(([, s]) => s.Type === 'Task' && String(s.Resource).startsWith(SDK_INTEGRATION_PREFIX));

    expect(direct.map(([name]) => name).sort()).toEqual(['AttachPolicy', 'ClaimIncident']);
    for (const [, task] of direct) expect(task.TimeoutSeconds).toBeLessThanOrEqual(10);
  });

  it('retries RestoreProtection exactly as an unadmitted ReattachPolicy, into the same rounds and failure', () => {
    expect(state('RestoreProtection').Retry).toEqual(state('ReattachUnadmitted').Retry);
    expect(state('RestoreProtection').Catch).toEqual(state('ReattachUnadmitted').Catch);
  });

  it.each(['ReattachPolicy', 'ReattachUnadmitted', 'ConfirmAttachment', 'RestoreProtection'])('retries a hung call in %s (the function timing out) like an outage', (name) => {
    const retriers = state(name).Retry as { ErrorEquals: string[]; MaxDelaySeconds?: number }[];

    const outage = retriers.find((r) => r.ErrorEquals.includes(ErrorName.ORG_SERVICE));

    expect(outage?.ErrorEquals).toEqual(expect.arrayContaining([ErrorName.LAMBDA_TIMED_OUT, ErrorName.STATES_TIMEOUT]));
  });

  it('retries audit-store throttling and outages wherever a task writes the trail', () => {
    for (const name of ['ResolveClaim', 'RequestDecision', 'CloseIncident']) {
      const errors = (state(name).Retry as { ErrorEquals: string[] }[]).flatMap((r) => r.ErrorEquals);
      expect(errors).toEqual(expect.arrayContaining([ErrorName.AUDIT_THROTTLED, ErrorName.AUDIT_UNAVAILABLE]));
    }
    const direct = (state('ClaimIncident').Retry as { ErrorEquals: string[] }[]).flatMap((r) => r.ErrorEquals);
    expect(direct).toEqual(expect.arrayContaining([...TRANSIENT_DYNAMODB_INTEGRATION_ERRORS, ErrorName.STATES_TIMEOUT]));
    // A claim error no retry fixes fails the execution at its end; a transient one does not (the late claim covers it).
    const forgiven = comparisons().filter(({ variable }) => variable === '$.claimError.Error').map(({ value }) => value);
    expect([...forgiven].sort()).toEqual([...TRANSIENT_DYNAMODB_INTEGRATION_ERRORS, ErrorName.STATES_TIMEOUT].sort());
  });

  it('fails safe: only an explicit override, or a timeout under keep-detached, leaves the policy detached', () => {
    const isApproved = state('IsApproved') as State & { Choices: { Next: string }[]; Default: string };

    expect(isApproved.Default).toBe('Remediate');
    expect(isApproved.Choices.every((choice) => choice.Next === 'MarkOverridden')).toBe(true);
  });

  it('goes on remediating when the audit store cannot be written, and only then fails the execution', () => {
    expect(state('ClaimIncident').Catch).toEqual([
      expect.objectContaining({ ErrorEquals: [ErrorName.CLAIM_CANCELLED], Next: 'ResolveClaim' }),
      expect.objectContaining({ ErrorEquals: [ErrorName.STATES_ALL], Next: 'IsProtected' }),
    ]);
    expect(state('ResolveClaim').Catch).toEqual([
      expect.objectContaining({ ErrorEquals: [ErrorName.DUPLICATE_INCIDENT], Next: 'StopDuplicate' }),
      expect.objectContaining({ ErrorEquals: [ErrorName.STATES_ALL], Next: 'IsProtected' }),
    ]);
  });
});
