import type { IncidentRecord, TimelineEntry } from '../../../functions/shared/audit/records';
import { toIncidentRecord } from '../../../functions/shared/audit/records';
import { toCsv } from '../../../cli/audit/csv';
import { formatDesired } from '../../../cli/audit/desired-text';
import { formatIncident } from '../../../cli/audit/incident-text';
import { AUDIT_ROW_KEYS, toAuditRow, type AuditRow } from '../../../cli/audit/rows';
import { renderTable } from '../../../cli/audit/table';
import { COLOURED, PLAIN } from '../../../cli/terminal/style';
import { incident } from '../../support/audit-incidents';

const LONG_ROLE = 'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_0123456789abcdef';

function row(overrides: Partial<AuditRow> = {}): AuditRow {
  const record: IncidentRecord = {
    ...toIncidentRecord(incident({ incidentId: '8a1f6c2e-3b4d-4e5f-8a6b-7c8d9e0f1a03', detectedAt: '2026-11-20T10:02:02Z', actorArn: LONG_ROLE }), 'arn:aws:states:us-east-1:1:execution:x:y'),
    status: 'CLOSED',
    outcome: 'REATTACHED',
    decision: 'APPROVE',
  };
  return { ...toAuditRow(record), ...overrides };
}

/** Parses RFC 4180 text back into rows: what a spreadsheet does when it opens the file. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let field = '';
  let current: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') current.push(field), (field = '');
    else if (c === '\r' && text[i + 1] === '\n') current.push(field), rows.push(current), (current = []), (field = ''), i++;
    else field += c;
  }
  return rows;
}

describe('audit list --format csv', () => {
  it('starts with a header naming every field, then one row per incident', () => {
    const csv = parseCsv(toCsv([row(), row({ incidentId: 'second' })]));

    expect(csv[0]).toEqual([...AUDIT_ROW_KEYS]);
    expect(csv.map((r) => r[0])).toEqual(['incidentId', '8a1f6c2e-3b4d-4e5f-8a6b-7c8d9e0f1a03', 'second']);
    expect(csv.every((r) => r.length === AUDIT_ROW_KEYS.length)).toBe(true);
  });

  it('quotes commas, quotes and line breaks so the values come back unchanged', () => {
    const reason = 'migration, "phase 2"\r\nCHG-1234';

    const csv = parseCsv(toCsv([row({ decisionReason: reason })]));

    expect(csv[1][AUDIT_ROW_KEYS.indexOf('decisionReason')]).toBe(reason);
  });

  it('makes text a caller chose that starts like a formula read as text in a spreadsheet', () => {
    const csv = parseCsv(toCsv([row({ userAgent: '=HYPERLINK("http://evil.example","x")', decisionReason: '@SUM(1)' })]));

    expect(csv[1][AUDIT_ROW_KEYS.indexOf('userAgent')]).toBe('\'=HYPERLINK("http://evil.example","x")');
    expect(csv[1][AUDIT_ROW_KEYS.indexOf('decisionReason')]).toBe("'@SUM(1)");
  });

  it('writes unknown values as empty cells and numbers as numbers', () => {
    const csv = parseCsv(toCsv([row({ cause: null, timeToRemediateSeconds: 12.5 })]));

    expect(csv[1][AUDIT_ROW_KEYS.indexOf('cause')]).toBe('');
    expect(csv[1][AUDIT_ROW_KEYS.indexOf('timeToRemediateSeconds')]).toBe('12.5');
  });
});

describe('audit list --format table', () => {
  it('fits a 120-column terminal, keeping the whole incident id and the end of a long role ARN', () => {
    const table = renderTable([row()], 120);

    const lines = table.text.split('\n');
    expect(lines.every((line) => line.length <= 120)).toBe(true);
    expect(table.text).toContain('8a1f6c2e-3b4d-4e5f-8a6b-7c8d9e0f1a03');
    expect(table.text).toMatch(/ …\S*0123456789abcdef( |$)/m);
  });

  it('keeps when, what and how it ended on one line in 80 columns, with the whole incident id and the actor under it', () => {
    const table = renderTable([row()], 80);

    const lines = table.text.split('\n');
    expect(lines.every((line) => line.length <= 80)).toBe(true);
    expect(lines[2]).toMatch(/^2026-11-20 10:02:02 +p-denyleave1 +ou-a1b2-7hq4vz2n +APPROVE +REATTACHED$/);
    expect(lines[3]).toMatch(/^ {2}8a1f6c2e-3b4d-4e5f-8a6b-7c8d9e0f1a03 +…\S*AdministratorAccess_0123456789abcdef$/);
    expect(table.hidden).toEqual(['VERDICT']);
  });

  it('hides what a responder needs least, and says which, in a terminal narrower than 80 columns', () => {
    const table = renderTable([row()], 60);

    expect(table.text.split('\n').every((line) => line.length <= 60)).toBe(true);
    expect(table.hidden).toEqual(expect.arrayContaining(['VERDICT', 'DECISION']));
    expect(table.text).toContain('8a1f6c2e-3b4d-4e5f-8a6b-7c8d9e0f1a03');
    expect(table.text).toContain('REATTACHED');
  });

  it('shows every column untouched when the terminal is wide enough', () => {
    const table = renderTable([row()], 400);

    expect(table.hidden).toEqual([]);
    expect(table.text).toContain('111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_0123456789abcdef');
  });

  it('with --wide prints one line per incident, every column whole and the source and mode beside them, whatever the width', () => {
    const table = renderTable([row()], 80, { wide: true });

    const lines = table.text.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^DETECTED \(UTC\) +INCIDENT +SOURCE +POLICY +TARGET +ACTOR +VERDICT +MODE +DECISION +OUTCOME$/);
    expect(lines[1]).toContain('8a1f6c2e-3b4d-4e5f-8a6b-7c8d9e0f1a03  event');
    expect(lines[1]).toContain(LONG_ROLE.replace('arn:aws:iam::', ''));
  });

  it('colours the outcome only when asked to, after aligning the columns', () => {
    const plain = renderTable([row()], 80);
    const coloured = renderTable([row()], 80, { paint: COLOURED });

    expect(plain.text).not.toContain('\u001b');
    expect(coloured.text).toContain('\u001b[32mREATTACHED\u001b[39m');
    expect(coloured.text.replace(/\u001b\[\d+m/g, '')).toBe(plain.text);
  });

  it('keeps control characters a caller put in an ARN away from the terminal', () => {
    const table = renderTable([row({ actorArn: 'arn:aws:iam::1:user/\u001b[31mred' })], 400);

    expect(table.text).not.toContain('\u001b');
  });
});

describe('audit show', () => {
  it('prints every fact of the incident on its own labelled line, then the timeline in order', () => {
    const record: IncidentRecord = { ...toIncidentRecord(incident({ detectedAt: '2026-11-20T10:00:00Z' }), 'arn:aws:states:x'), status: 'CLOSED', outcome: 'REATTACHED', decision: 'AUTO', timeToRemediateSeconds: 4.2 };
    const timeline = [
      { incidentId: record.incidentId, at: '2026-11-20T10:00:00Z', step: 'detected' as const, detail: { policyId: 'p-denyleave1' } },
      { incidentId: record.incidentId, at: '2026-11-20T10:00:04.200Z', step: 'reattached' as const, detail: { confirmedBy: 'ListPoliciesForTarget' } },
    ];

    const text = formatIncident(record, timeline);

    for (const label of ['Incident', 'Detected', 'Verdict', 'Rule', 'Mode', 'Policy', 'Target', 'Actor', 'Session issuer', 'Source IP', 'User agent', 'Console', 'Decision', 'Outcome', 'Time to remediate', 'Execution']) {
      expect(text).toMatch(new RegExp(`^${label} +\\S`, 'm'));
    }
    // The detection's policy is the Policy line's; --wide repeats it on the step.
    expect(text).toMatch(/Timeline \(2 steps\)\n {2}2026-11-20T10:00:00Z +detected\n {2}2026-11-20T10:00:04.200Z +reattached +confirmedBy=ListPoliciesForTarget$/);
    expect(formatIncident(record, timeline, undefined, { wide: true })).toMatch(/^ {2}2026-11-20T10:00:00Z +detected +policyId=p-denyleave1$/m);
  });

  const EXECUTION = 'arn:aws:states:us-east-1:111122223333:execution:scp-guardian-remediation:8c7e0d2a-1b3c-4d5e-8f90-a1b2c3d4e5f6';

  /** A replayed incident, reattached, with a long role, a long user agent and every step naming its execution. */
  function replayed(): { record: IncidentRecord; timeline: TimelineEntry[] } {
    const base = incident({ incidentId: '8a1f6c2e-3b4d-4e5f-8a6b-7c8d9e0f1a03', detectedAt: '2026-11-20T10:02:02Z', actorArn: LONG_ROLE });
    const stored = { ...base, replayAppliedAt: '2026-12-01T17:40:21.000Z', actor: { ...base.actor, userAgent: `Mozilla/5.0 ${'(KHTML, like Gecko) '.repeat(6)}` } };
    const record: IncidentRecord = { ...toIncidentRecord(stored, EXECUTION), status: 'CLOSED', outcome: 'REATTACHED', decision: 'AUTO', timeToRemediateSeconds: 0.4 };
    const at = (time: string) => ({ incidentId: record.incidentId, at: time });
    const timeline: TimelineEntry[] = [
      { ...at('2026-11-20T10:02:02Z'), step: 'detected', detail: { actor: LONG_ROLE, policyId: 'p-denyleave1', targetId: 'ou-a1b2-7hq4vz2n' } },
      { ...at('2026-12-01T17:40:21.100Z'), step: 'classified', detail: { verdict: 'PROTECTED', reason: base.reason, mode: 'auto', executionArn: EXECUTION } },
      { ...at('2026-12-01T17:40:21.400Z'), step: 'closed', detail: { outcome: 'REATTACHED', timeToRemediateSeconds: 0.4, actions: [{ call: 'AttachPolicy', result: 'done' }] } },
    ];
    return { record, timeline };
  }

  it('fits 80 columns, wrapping long values under themselves and naming the execution once', () => {
    const { record, timeline } = replayed();

    const lines = formatIncident(record, timeline, { width: 80, paint: PLAIN }).split('\n');

    expect(lines.filter((line) => line.length > 80)).toEqual([]);
    expect(lines).toContain('Execution          scp-guardian-remediation:8c7e0d2a-1b3c-4d5e-8f90-a1b2c3d4e5f6');
    expect(lines.join('\n')).not.toContain('executionArn');
  });

  it('with --wide keeps every line whole and names the execution ARN on its steps', () => {
    const { record, timeline } = replayed();

    const text = formatIncident(record, timeline, { width: Number.POSITIVE_INFINITY, paint: PLAIN }, { wide: true });

    expect(text).toContain(`Execution          ${EXECUTION}`);
    expect(text).toMatch(new RegExp(`classified +verdict=PROTECTED .*executionArn=${EXECUTION.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it('says a replay counts its time to remediate from when the replay applied the change, in the one duration format', () => {
    const { record, timeline } = replayed();

    const text = formatIncident(record, timeline, { width: 80, paint: PLAIN });

    expect(text).toMatch(/^Time to remediate  0\.4 s \(from when the replay applied it\)$/m);
    expect(text).toMatch(/closed +outcome=REATTACHED timeToRemediate=0\.4 s/);
  });

  it('gives a real event\'s time to remediate without a replay note', () => {
    const { record, timeline } = replayed();
    const { replayAppliedAt: _replay, ...event } = record.incident;

    const text = formatIncident({ ...record, incident: event }, timeline, { width: 80, paint: PLAIN });

    expect(text).toMatch(/^Time to remediate  0\.4 s$/m);
  });
});

describe('audit desired', () => {
  it('fits 80 columns, a long why continued under itself', () => {
    const rows = [
      {
        policyId: 'p-protectct',
        targetId: 'ou-a1b2-m5t8wd6c',
        state: 'released' as const,
        reason: 'override by arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/alice',
        since: '2026-12-01T17:40:21.000Z',
        until: '2026-12-01T21:40:21.000Z',
        incidentId: '8a1f6c2e-3b4d-4e5f-8a6b-7c8d9e0f1a03',
      },
    ];

    const lines = formatDesired(rows, new Date('2026-12-01T18:00:00Z'), 80).split('\n');

    expect(lines.filter((line) => line.length > 80)).toEqual([]);
    expect(lines[1]).toBe('- p-protectct on ou-a1b2-m5t8wd6c');
    expect(lines.slice(2).join(' ')).toContain('(8a1f6c2e-3b4d-4e5f-8a6b-7c8d9e0f1a03)');
  });
});
