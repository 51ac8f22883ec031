import { toIncidentRecord, type IncidentRecord, type TimelineEntry } from '../../../functions/shared/audit/records';
import { summarize } from '../../../cli/audit/stats';
import type { Closure, Incident } from '../../../functions/shared/incident';
import { toCsv } from '../../../cli/audit/csv';
import { formatIncident } from '../../../cli/audit/incident-text';
import { toAuditRow } from '../../../cli/audit/rows';
import { countByKind, formatStats, withKinds } from '../../../cli/audit/stats-text';
import { renderTable } from '../../../cli/audit/table';
import {
  accountMoved,
  changeReported,
  CHANGE_DIFF,
  deletedReported,
  driftMoved,
  forbiddenAttached,
  movedBack,
  policyChanged,
  policyDeleted,
  typeDisabled,
  typeRestored,
} from '../notifications/kind-fixtures';

/** The record of a closed incident, with the restoration's actions and report kept beside it. */
function closedRecord(incident: Incident, closure: Closure): IncidentRecord {
  return {
    ...toIncidentRecord(incident, 'arn:aws:states:us-east-1:111122223333:execution:scp-guardian:x'),
    status: 'CLOSED',
    outcome: closure.outcome,
    decision: closure.decision,
    closedAt: closure.closedAt,
    actions: closure.actions,
    report: closure.report,
  };
}

const closedStep = (incident: Incident, detail: Record<string, unknown> = {}): TimelineEntry => ({ incidentId: incident.incidentId, at: '2024-05-01T10:16:00.000Z', step: 'closed', detail });

describe('audit show per kind', () => {
  it('prints the kind, the facts of a disabled type and every action, once each', () => {
    const text = formatIncident(closedRecord(typeDisabled, typeRestored), [closedStep(typeDisabled)]);

    expect(text).toMatch(/^Kind +POLICY_TYPE_DISABLED \(policy type disabled\)$/m);
    expect(text).toMatch(/^Policy type +SERVICE_CONTROL_POLICY: disabled on the root r-ab12/m);
    expect(text).toMatch(/^Actions +39 actions: 39 done$/m);
    expect(text).toContain('Actions, in order:\n  EnablePolicyType on r-ab12: done\n  AttachPolicy p-12345678 to ou-ab12-00000000: done');
    expect(text.match(/AttachPolicy/g)).toHaveLength(37);
  });

  it('prints where a moved account went and the move back', () => {
    const text = formatIncident(closedRecord(accountMoved, movedBack), []);

    expect(text).toMatch(/^Moved from +OU ou-ab12-11111111$/m);
    expect(text).toMatch(/^Moved to +OU ou-ab12-22222222$/m);
    expect(text).toContain('  MoveAccount 111111111111: done (from ou-ab12-22222222 to ou-ab12-11111111)');
  });

  it('prints the diff and the last known content of a rewritten policy', () => {
    const text = formatIncident(closedRecord(policyChanged, changeReported), []);

    expect(text).toContain(`What changed:\n  ${CHANGE_DIFF[0]}\n  ${CHANGE_DIFF[1]}`);
    expect(text).toContain('Last known content:\n  {\n    "Version": "2012-10-17",');
  });

  it('prints every target a deleted policy protected and its last known content', () => {
    const text = formatIncident(closedRecord(policyDeleted, deletedReported), []);

    expect(text).toMatch(/^Protected on +r-ab12, ou-ab12-11111111, 222222222222$/m);
    expect(text).toContain('"Sid": "NoLeaving"');
  });

  it('reads the actions and the report from the closing step when the record has none', () => {
    const record = closedRecord(policyDeleted, { ...deletedReported, report: undefined });

    const text = formatIncident(record, [closedStep(policyDeleted, { outcome: 'FAILED', report: deletedReported.report })]);

    expect(text).toMatch(/^Protected on +r-ab12, ou-ab12-11111111, 222222222222$/m);
  });

  it('says what a drift of another kind is', () => {
    const text = formatIncident({ ...toIncidentRecord(driftMoved, 'arn:x'), status: 'OPEN' }, []);

    expect(text).toMatch(/^Kind +DRIFT of ACCOUNT_MOVED \(account moved, found by the sweep\)$/m);
    expect(text).toMatch(/^Source +sweep$/m);
    expect(text).toMatch(/^Found by +the sweep: the account is under ou-ab12-22222222/m);
  });
});

describe('audit list per kind', () => {
  const rows = [closedRecord(typeDisabled, typeRestored), closedRecord(accountMoved, movedBack), { ...toIncidentRecord(driftMoved, 'arn:x'), status: 'OPEN' as const }].map(toAuditRow);

  it('gives every row its kind, the kind a drift is of, and its source', () => {
    expect(rows.map((row) => [row.kind, row.driftOf, row.source])).toEqual([
      ['POLICY_TYPE_DISABLED', null, 'event'],
      ['ACCOUNT_MOVED', null, 'event'],
      ['DRIFT', 'ACCOUNT_MOVED', 'sweep'],
    ]);
    expect(toCsv(rows).split('\r\n')[0]).toMatch(/^incidentId,detectedAt,status,verdict,kind,driftOf,source,/);
  });

  it('leaves the kind column out when no incident has a kind (recorded before it was kept)', () => {
    const old = { ...toIncidentRecord({ ...accountMoved, kind: undefined }, 'arn:x'), status: 'OPEN' as const };

    expect(renderTable([toAuditRow(old)], 200).text).not.toContain('KIND');
  });

  it('shows the kind in a word in the table', () => {
    const table = renderTable(rows, 200);

    expect(table.text.split('\n')[0]).toMatch(/^DETECTED \(UTC\) +INCIDENT +KIND +POLICY/);
    expect(table.text).toMatch(/ disabled +/);
    expect(table.text).toMatch(/ moved +/);
    expect(table.text).toMatch(/ drift:moved +/);
  });
});

describe('audit stats by kind', () => {
  const records = [
    closedRecord(typeDisabled, typeRestored),
    closedRecord(accountMoved, movedBack),
    closedRecord(forbiddenAttached, { ...movedBack, actions: [] }),
    closedRecord({ ...accountMoved, incidentId: 'other' }, movedBack),
    { ...toIncidentRecord(driftMoved, 'arn:x'), status: 'OPEN' as const },
    { ...toIncidentRecord({ ...policyChanged, kind: undefined, verdict: 'INVALID' }, 'arn:x'), status: 'CLOSED' as const, outcome: 'OBSERVED' as const },
  ];

  it('counts the incidents of each kind, an unreadable event as of no kind', () => {
    expect(countByKind(records)).toEqual({ POLICY_TYPE_DISABLED: 1, ACCOUNT_MOVED: 2, FORBIDDEN_ATTACHED: 1, DRIFT: 1, '(no kind)': 1 });
  });

  it('prints one kind a line, most first, in words and in the value --kind takes, within 80 columns', () => {
    const text = formatStats(withKinds(summarize(records), records), { since: '2024-04-01T00:00:00.000Z' });

    expect(text).toContain(
      [
        'By kind:              ACCOUNT_MOVED 2 (account moved)',
        '                      (no kind) 1',
        '                      DRIFT 1 (drift found by the sweep)',
        '                      FORBIDDEN_ATTACHED 1 (forbidden policy attached)',
        '                      POLICY_TYPE_DISABLED 1 (policy type disabled)',
      ].join('\n'),
    );
    expect(text.split('\n').every((line) => line.length <= 80)).toBe(true);
  });

  it('prints no kind line for stats counted without kinds', () => {
    expect(formatStats(summarize(records), {})).not.toContain('By kind');
  });
});
