import type { Incident } from './incident';

/**
 * A duration as people say it: 1.2 s, 14 min, 3 h, 2 d. The one format of every surface: email,
 * Slack, `local`'s report, `audit show` and `audit stats`.
 */
export function humanDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  if (seconds < 2 * 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 2 * 86400) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} d`;
}

/**
 * When the clock of the time to remediate starts: when a local replay applied the change, else
 * the incident's detection (the CloudTrail eventTime of a real event).
 */
export function remediationClockStart(incident: Pick<Incident, 'detectedAt' | 'replayAppliedAt'>): string {
  return incident.replayAppliedAt ?? incident.detectedAt;
}

/** What a replay's time to remediate is counted from, said wherever it is shown. */
export const FROM_REPLAY = 'from when the replay applied it';

/**
 * A time to remediate with what it counts from when that is not the event's own time:
 * "0.4 s (from when the replay applied it)", or "2.1 s" for a real event.
 */
export function remediationTime(seconds: number, incident: Pick<Incident, 'replayAppliedAt'> | undefined): string {
  return incident?.replayAppliedAt === undefined ? humanDuration(seconds) : `${humanDuration(seconds)} (${FROM_REPLAY})`;
}
