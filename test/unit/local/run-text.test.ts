import { toIncidentRecord, type IncidentRecord } from '../../../functions/shared/audit/records';
import { readCallRecord } from '../../../functions/shared/cloudtrail';
import detachFixture from '../../support/fixtures/cloudtrail/detachpolicy-assumed-role-from-ou.json';
import type { Incident } from '../../../functions/shared/incident';
import { formatRun } from '../../../cli/local/run-text';
import { COLOURED, PLAIN, textStyle } from '../../../cli/terminal/style';
import type { IncidentReport, LocalRunReport } from '../../../local/runner';
import { protectedIncident } from '../slack/incident-fixture';

const LONG_ROLE = 'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_0123456789abcdef';
const EXECUTION = 'arn:aws:states:us-east-1:123456789012:execution:scp-guardian-local:6b1f0e2a-8c3d-4e5f-9a0b-1c2d3e4f5a6b';
const EVENT_TIME = '2026-11-20T10:02:02Z';
const APPLIED = '2026-12-01T17:40:21.000Z';
const at = (ms: number) => new Date(Date.parse(APPLIED) + ms).toISOString();

/** An incident of a replay as the runner reports it: the record, its timeline, its execution. */
function report(incident: Incident, ending: Partial<IncidentRecord>): IncidentReport {
  const record: IncidentRecord = { ...toIncidentRecord(incident, EXECUTION), status: 'CLOSED', ...ending };
  return {
    incidentId: incident.incidentId,
    kind: incident.kind ?? null,
    source: 'event',
    verdict: incident.verdict,
    mode: incident.mode ?? null,
    decision: record.decision ?? null,
    outcome: record.outcome ?? null,
    policyId: incident.policy.id ?? null,
    targetId: incident.target.id ?? null,
    actor: incident.actor.principalArn ?? null,
    timeline: [
      { at: EVENT_TIME, step: 'detected', detail: { actor: LONG_ROLE, policyId: incident.policy.id, targetId: incident.target.id } },
      { at: at(20), step: 'classified', detail: { verdict: incident.verdict, reason: incident.reason, mode: incident.mode, executionArn: EXECUTION } },
      { at: at(150), step: 'reattach-attempt', detail: { executionArn: EXECUTION, attempt: 1 } },
      { at: at(400), step: 'closed', detail: { outcome: record.outcome, timeToRemediateSeconds: record.timeToRemediateSeconds } },
    ],
    status: record.status,
    reason: incident.reason,
    decidedBy: record.decidedBy ?? null,
    overriddenUntil: null,
    cause: record.cause ?? null,
    actions: null,
    report: null,
    execution: { executionArn: EXECUTION, status: 'SUCCEEDED', durationSeconds: 0.34, stateTransitions: 19, lambdaInvocations: 5, retries: 0, beforeFirstAttach: { stateTransitions: 11, lambdaInvocations: 1 } },
    deliveries: 2,
    record,
  };
}

const reattached = report(
  protectedIncident({
    incidentId: '8a1f6c2e-3b4d-4e5f-8a6b-7c8d9e0f1a03',
    mode: 'approval',
    detectedAt: EVENT_TIME,
    eventTime: EVENT_TIME,
    replayAppliedAt: APPLIED,
    kind: 'DETACHED',
    reason: `protect[1] protects p-protectct on ou-a1b2-m5t8wd6c and ${'every other target of a long rule, '.repeat(3).trim()}`,
    policy: { id: 'p-protectct', name: 'ProtectCloudTrailFromEveryoneButTheOrganizationsAdminRole', type: 'SERVICE_CONTROL_POLICY' },
    target: { id: 'ou-a1b2-m5t8wd6c', name: 'Sandbox', type: 'ORGANIZATIONAL_UNIT' },
    actor: { type: 'AssumedRole', principalArn: LONG_ROLE, arn: `${LONG_ROLE}/alice`, console: true, mfa: true, sourceIp: '192.0.2.14' },
  }),
  { outcome: 'REATTACHED', decision: 'APPROVE', decidedBy: 'local-operator (--decision)', timeToRemediateSeconds: 0.4 },
);

const unreadable = report(
  {
    ...protectedIncident({ incidentId: 'replay-unreadable', verdict: 'INVALID', mode: undefined, rule: undefined, approval: undefined, replayAppliedAt: APPLIED }),
    kind: undefined,
    invalid: { problem: 'the event is not JSON: Unexpected token } in JSON at position 812', excerpt: `{"version":"0","detail":{${'"x":"y",'.repeat(40)}` },
  },
  { outcome: 'OBSERVED' },
);

const run: LocalRunReport = {
  incidents: [reattached, unreadable],
  attachCalls: 1,
  organization: null,
  notes: ['approval windows shortened from 15 min to 5 s for this local run; then onTimeout (reattach) applies'],
  complete: true,
  unrecorded: [],
  sweeps: [],
  inputs: { events: 3, unreadable: 1 },
};

const at80 = { style: { width: 80, paint: PLAIN } };

describe('scp-guardian local, the run as text', () => {
  it('fits 80 columns by default, with long names, reasons, ARNs and an unreadable event', () => {
    const lines = formatRun(run, at80).split('\n');

    expect(lines.filter((line) => line.length > 80)).toEqual([]);
  });

  it('names no execution ARN by default, and each step\'s detail without it', () => {
    const text = formatRun(run, at80);

    expect(text).not.toContain(EXECUTION);
    expect(text).not.toContain('executionArn');
  });

  it('with --wide shows the execution ARN and every step\'s detail whole, on lines as long as they are', () => {
    const text = formatRun(run, { style: { width: Number.POSITIVE_INFINITY, paint: PLAIN }, wide: true });

    expect(text).toContain(`  execution ${EXECUTION}`);
    expect(text).toContain(`classified        verdict=PROTECTED reason=${reattached.reason} mode=approval executionArn=${EXECUTION}`);
    expect(text).toContain(LONG_ROLE);
  });

  it('says the time to remediate counts from when the replay applied the change, not from the event eleven days before', () => {
    const text = formatRun(run, at80);

    expect(text).toMatch(/^ {2}outcome {3}REATTACHED, remediated in 0\.4 s \(from when the replay applied it\)$/m);
    expect(text).toContain('timeline  from when the replay applied the change, 2026-12-01T17:40:21.000Z');
    expect(text).toMatch(/^ {4}-11 d +detected/m);
    expect(text).toMatch(/^ {4}\+0\.4 s +closed +outcome=REATTACHED timeToRemediate=0\.4 s$/m);
    expect(text).not.toMatch(/\d{6}\.\d+ s/);
  });

  it('ends with incidents by outcome, and how many inputs were unreadable', () => {
    const text = formatRun(run, at80);

    expect(text.replace(/\s+/g, ' ')).toContain('3 events replayed, 1 unreadable (not JSON: replayed as INVALID); 2 incidents, 1 AttachPolicy call ');
    expect(text).toMatch(/^ {2}OUTCOME +INCIDENTS {2}KINDS\n {2}REATTACHED +1 {2}detached 1\n {2}OBSERVED +1 {2}\(no kind\) 1$/m);
  });

  it('prints a replayed event\'s control characters escaped, wherever its fields show', () => {
    // A terminal escape in the fields of the event, as the classifier reads them.
    const red = '\u001b[31m';
    const event = structuredClone(detachFixture.event) as unknown as { detail: Record<string, unknown> & { userIdentity: Record<string, unknown> } };
    event.detail.eventTime = `${EVENT_TIME}${red}`;
    event.detail.sourceIPAddress = `192.0.2.14${red}`;
    event.detail.userIdentity.type = `AssumedRole${red}`;
    const read = readCallRecord(event);
    if ('problem' in read) throw new Error(read.problem);
    const replayed = report(
      protectedIncident({ incidentId: read.eventId, kind: 'DETACHED', detectedAt: read.eventTime, eventTime: read.eventTime, actor: read.actor, reason: `protect[0] ${red}` }),
      { outcome: 'REATTACHED', timeToRemediateSeconds: 0.4 },
    );
    const runOf = { ...run, incidents: [replayed] };

    for (const text of [formatRun(runOf, at80), formatRun(runOf, { style: { width: Number.POSITIVE_INFINITY, paint: PLAIN }, wide: true })]) {
      expect(text).not.toContain('\u001b');
      const flowed = text.replace(/\s+/g, ' ');
      expect(flowed).toContain('(AssumedRole?[31m, API/CLI, no MFA, from 192.0.2.14?[31m)');
      expect(flowed).toContain(`at ${EVENT_TIME}?[31m`);
    }
  });

  it('colours the outcomes only with a colour style', () => {
    const plain = formatRun(run, at80);
    const coloured = formatRun(run, { style: { width: 80, paint: COLOURED } });

    expect(plain).not.toMatch(/\u001b\[/);
    expect(coloured).toContain('\u001b[32mREATTACHED\u001b[39m');
  });
});

describe('the terminal style', () => {
  const tty = { isTTY: true, columns: 120, hasColors: () => true };

  it('colours on a terminal that has colours, at its width', () => {
    expect(textStyle(tty, {})).toEqual({ width: 120, paint: COLOURED });
  });

  it('never colours with NO_COLOR set, nor off a terminal, and fits 80 columns off one', () => {
    expect(textStyle(tty, { NO_COLOR: '1' }).paint).toBe(PLAIN);
    expect(textStyle({ isTTY: false }, {})).toEqual({ width: 80, paint: PLAIN });
    expect(textStyle({}, { COLUMNS: '100' }).width).toBe(100);
  });

  it('has no width limit with --wide', () => {
    expect(textStyle(tty, {}, { wide: true }).width).toBe(Number.POSITIVE_INFINITY);
  });
});
