import { AuditUsageError } from './usage-error';

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 } as const;
const RELATIVE = /^(\d{1,6})([smhdw])$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

const HOW = 'use an ISO 8601 time (2026-11-20, 2026-11-20T09:30:00Z) or an age (30m, 24h, 7d, 2w)';

/**
 * Reads `--since`/`--until`: an age before `now` (`30m`, `24h`, `7d`, `2w`) or an ISO 8601 date or
 * time. Times without an offset are UTC. A date alone is the start of that day, or its last second
 * when `endOfDay` (so `--until 2026-11-20` includes the 20th).
 */
export function parseTime(text: string, option: string, now: Date, endOfDay = false): Date {
  const trimmed = text.trim();
  const relative = RELATIVE.exec(trimmed);
  if (relative !== null) {
    return new Date(now.getTime() - Number(relative[1]) * UNIT_SECONDS[relative[2] as keyof typeof UNIT_SECONDS] * 1000);
  }
  const iso = ISO.exec(trimmed);
  if (iso === null) throw new AuditUsageError(`${option} "${text}" is not a time: ${HOW}`);
  const [, year, month, day, hour, minute, second] = iso;
  const calendarDay = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  const realDay = calendarDay.getUTCMonth() === Number(month) - 1 && calendarDay.getUTCDate() === Number(day);
  if (!realDay || (hour !== undefined && (Number(hour) > 23 || Number(minute) > 59 || Number(second ?? 0) > 59))) {
    throw new AuditUsageError(`${option} "${text}" is not a real date or time: ${HOW}`);
  }
  if (hour === undefined) return new Date(calendarDay.getTime() + (endOfDay ? 86_399_000 : 0));
  const zoned = iso[7] === undefined ? `${trimmed.replace(' ', 'T')}Z` : trimmed.replace(' ', 'T');
  const time = Date.parse(zoned.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (Number.isNaN(time)) throw new AuditUsageError(`${option} "${text}" is not a time: ${HOW}`);
  return new Date(time);
}

/** Both bounds of a time window, checked to be in order. */
export function parseWindow(since: string | undefined, until: string | undefined, now: Date): { since?: Date; until?: Date } {
  const window = {
    since: since === undefined ? undefined : parseTime(since, '--since', now),
    until: until === undefined ? undefined : parseTime(until, '--until', now, true),
  };
  if (window.since !== undefined && window.until !== undefined && window.since.getTime() > window.until.getTime()) {
    throw new AuditUsageError(`--since (${window.since.toISOString()}) is after --until (${window.until.toISOString()})`);
  }
  return window;
}
