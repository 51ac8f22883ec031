import { wrap } from '../terminal/text';
import { CheckGroup, CheckStatus, passed, type Check } from './check';

/** Where doctor looked. */
export type DoctorTarget = { kind: 'aws'; region: string; account?: string; stack: string } | { kind: 'local'; url: string };

/**
 * What `scp-guardian doctor --json` prints (contract: docs/cli.md, "doctor"): every check, in the
 * order of the text, and `ok`, false when any check failed (the exit code is 1 then).
 */
export interface DoctorReport {
  target: DoctorTarget;
  /** The protection rules file checked against the organization. */
  rules: string;
  checks: Check[];
  summary: Record<CheckStatus, number>;
  ok: boolean;
}

const GROUP_ORDER = Object.values(CheckGroup);

export function doctorReport(target: DoctorTarget, rules: string, checks: readonly Check[]): DoctorReport {
  const ordered = [...checks].sort((a, b) => GROUP_ORDER.indexOf(a.group) - GROUP_ORDER.indexOf(b.group));
  const summary = Object.fromEntries(Object.values(CheckStatus).map((status) => [status, ordered.filter((check) => check.status === status).length])) as Record<CheckStatus, number>;
  return { target, rules, checks: ordered, summary, ok: passed(ordered) };
}

/** A failure stands out without colour: the terminal may have none. */
const LABEL: Record<CheckStatus, string> = { ok: 'ok', warn: 'warn', fail: 'FAIL', skip: 'skip' };
const INDENT = '        ';

/**
 * `text` wrapped to `width` (terminal/text.ts), its whitespace first made single spaces: a
 * detail can carry an AWS error message with line breaks or tabs in it.
 */
function wrapWords(text: string, first: string, rest: string, width: number): string[] {
  return wrap(text.split(/\s+/).filter((word) => word !== '').join(' '), width, first, rest);
}

function targetLine(report: DoctorReport): string {
  const where =
    report.target.kind === 'local'
      ? `scp-guardian local --serve at ${report.target.url}`
      : `AWS${report.target.account === undefined ? '' : ` account ${report.target.account}`}, ${report.target.region}, stack ${report.target.stack}`;
  return `scp-guardian doctor: ${where}; rules ${report.rules}`;
}

/** The report for a terminal: a heading per group, a line per check, its fix beneath; `width` columns at most. */
export function formatDoctorReport(report: DoctorReport, width = 80): string {
  const lines = wrapWords(targetLine(report), '', '  ', width);
  let group: string | undefined;
  for (const check of report.checks) {
    if (check.group !== group) {
      group = check.group;
      lines.push(group);
    }
    lines.push(...wrapWords(`${check.name}: ${check.detail}`, `  ${LABEL[check.status].padEnd(6)}`, INDENT, width));
    if (check.fix !== undefined && check.status !== CheckStatus.OK) lines.push(...wrapWords(`fix: ${check.fix}`, INDENT, `${INDENT}  `, width));
  }
  const { summary } = report;
  lines.push(`${summary.fail} failed, ${summary.warn} ${summary.warn === 1 ? 'warning' : 'warnings'}, ${summary.ok} ok, ${summary.skip} skipped${report.ok ? '' : ': exit 1'}`);
  return lines.join('\n');
}
