import type { ProtectionRules } from '../rules/protection-rules';

/**
 * How long an OVERRIDE keeps a protection off (contract: docs/cli.md, docs/slack.md). One
 * spelling everywhere: `decide --for`, `local --for`, the local server's `"for"` and the values
 * of the Slack dialog's duration menu are all `30m`, `4h` or `2d`.
 */

/** The rules' `overrides`: the duration an override gets unless one is chosen, and the longest allowed. */
export type OverrideBounds = ProtectionRules['overrides'];

/** The rules' own defaults (config/schema.ts; a test checks they agree), kept here so no bundle loads zod. */
export const DEFAULT_OVERRIDE_BOUNDS: OverrideBounds = { defaultHours: 4, maxHours: 7 * 24 };

/**
 * The shortest override. Its expiry is acted on by the sweep, every `sweep.everyMinutes` (15 by
 * default), so a shorter one would end late by up to a sweep anyway; and keeping a protection
 * off for a few minutes is what "Reattach now" after the change is for. A short value is more
 * often a slip of the unit (`--for 4m` for four hours) than a wish.
 */
export const MIN_OVERRIDE_MINUTES = 15;

const MINUTES: Record<string, number> = { m: 1, h: 60, d: 24 * 60 };
const DURATION = /^\s*(\d{1,6})\s*([mhd])\s*$/i;

/** What a duration looks like, for messages. */
export const DURATION_EXAMPLES = '30m, 4h or 2d';

/** A duration as typed, in minutes; undefined when it is not one (`4`, `1.5h`, `4 hours`). */
export function parseOverrideDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (match === null) return undefined;
  return Number(match[1]) * MINUTES[match[2].toLowerCase()];
}

/** The duration in the one spelling: the largest unit that divides it (`90m`, `4h`, `2d`). */
export function formatOverrideDuration(minutes: number): string {
  if (minutes === 0) return '0m';
  if (minutes % MINUTES.d === 0) return `${minutes / MINUTES.d}d`;
  if (minutes % MINUTES.h === 0) return `${minutes / MINUTES.h}h`;
  return `${minutes}m`;
}

const plural = (count: number, unit: string) => `${count} ${unit}${count === 1 ? '' : 's'}`;

/** The duration in words, for people: "30 minutes", "4 hours", "1 day". */
export function describeOverrideDuration(minutes: number): string {
  if (minutes % MINUTES.d === 0) return plural(minutes / MINUTES.d, 'day');
  if (minutes % MINUTES.h === 0) return plural(minutes / MINUTES.h, 'hour');
  return plural(minutes, 'minute');
}

/** Why an override cannot last `minutes` under `bounds`, in one sentence; undefined when it can. */
export function overrideDurationProblem(minutes: number, bounds: OverrideBounds): string | undefined {
  if (!Number.isInteger(minutes)) return `an override lasts a whole number of minutes, not ${minutes}`;
  if (minutes < MIN_OVERRIDE_MINUTES) return `an override lasts at least ${MIN_OVERRIDE_MINUTES}m: ${formatOverrideDuration(minutes)} is shorter`;
  if (minutes > bounds.maxHours * MINUTES.h) {
    return `an override lasts at most ${formatOverrideDuration(bounds.maxHours * MINUTES.h)} (the rules' overrides.maxHours is ${bounds.maxHours}): ${formatOverrideDuration(minutes)} is longer`;
  }
  return undefined;
}

/** When an override taken at `at` for `minutes` ends (ISO 8601). */
export function overrideEnd(at: Date | string, minutes: number): string {
  return new Date(new Date(at).getTime() + minutes * 60_000).toISOString();
}
