import type { IncidentRecord } from '../../functions/shared/audit/records';
import { toIncidentRecord } from '../../functions/shared/audit/records';
import { toCsv } from '../../cli/audit/csv';
import { formatIncident } from '../../cli/audit/incident-text';
import { AUDIT_ROW_KEYS, toAuditRow, type AuditRow } from '../../cli/audit/rows';
import { renderTable } from '../../cli/audit/table';
import { incident } from './support/incidents';

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
    expect(lines[1]).toContain('8a1f6c2e-3b4d-4e5f-8a6b-7c8d9e0f1a03');
    expect(lines[1]).toMatch(/ …\S*0123456789abcdef /);
  });

  it('hides the least needed columns in a narrow terminal and says which', () => {
    const table = renderTable([row()], 80);

    expect(table.text.split('\n').every((line) => line.length <= 80)).toBe(true);
    expect(table.hidden).toEqual(expect.arrayContaining(['DECISION', 'VERDICT']));
    expect(table.text).toContain('8a1f6c2e-3b4d-4e5f-8a6b-7c8d9e0f1a03');
  });

  it('shows every column untouched when the terminal is wide enough', () => {
    const table = renderTable([row()], 400);

    expect(table.hidden).toEqual([]);
    expect(table.text).toContain('111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_0123456789abcdef');
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
    expect(text).toMatch(/Timeline \(2 steps\)\n {2}2026-11-20T10:00:00Z +detected +policyId=p-denyleave1\n {2}2026-11-20T10:00:04.200Z +reattached +confirmedBy=ListPoliciesForTarget$/);
  });
});
