import { AUDIT_ROW_KEYS, type AuditRow } from './rows';

/**
 * Spreadsheets run a cell that starts with = + - @ (or a tab or carriage return) as a formula.
 * Several columns hold what the caller chose (user agent, reasons), so such text is prefixed
 * with a quote, which spreadsheets show as text (OWASP: CSV injection).
 */
const FORMULA_START = /^[=+\-@\t\r]/;

function cell(value: AuditRow[keyof AuditRow]): string {
  if (value === null) return '';
  if (typeof value !== 'string') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 CSV: a header row, then one row per incident, CRLF line ends. */
export function toCsv(rows: readonly AuditRow[]): string {
  const lines = [AUDIT_ROW_KEYS.join(','), ...rows.map((row) => AUDIT_ROW_KEYS.map((key) => cell(row[key])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
