import { writeFileSync } from 'node:fs';
import type { Schedule } from '../../functions/admit/schedule';
import type { AdmissionStep, LocalEnvironment } from '../../local/environment';
import type { RequestLogEntry } from '../../local/stand-ins/organizations/endpoint';

/**
 * `npm run bench:storm -- --trace FILE`: what happened in the limited storm, second by second,
 * so a slow run can be explained rather than guessed at. The file holds every AttachPolicy
 * request the endpoint answered, the shared schedule read every 200 ms, and every admission
 * step's answer, all timed from the storm's start; `stormTimeline` prints the same by window.
 */
export interface StormTrace {
  readonly startedAt: number;
  readonly attempts: { readonly t: number; readonly targetId: string; readonly status: number; readonly error?: string }[];
  readonly schedule: { readonly t: number; readonly schedule: Schedule }[];
  readonly admission: (Omit<AdmissionStep, 'startedAt' | 'answeredAt'> & { readonly t: number; readonly tookMs: number })[];
}

const SCHEDULE_READ_EVERY_MS = 200;

/** Records a storm's trace while it runs; `finish` stops the schedule reads and returns it. */
export class StormTracer {
  private readonly steps: AdmissionStep[] = [];
  private readonly schedule: StormTrace['schedule'] = [];
  private startedAt = Date.now();
  private reading: Promise<void> | undefined;
  private stopped = false;

  readonly onAdmission = (step: AdmissionStep) => void this.steps.push(step);

  /** From now on: reads the schedule of `env` until `finish`. */
  start(env: LocalEnvironment): void {
    this.startedAt = Date.now();
    this.reading = (async () => {
      while (!this.stopped) {
        // A failed read (the store slow or down) is a gap in the trace, not an error of the storm.
        const schedule = await env.admissionStore.read().catch(() => undefined);
        if (schedule !== undefined) this.schedule.push({ t: Date.now() - this.startedAt, schedule });
        await new Promise((resolve) => setTimeout(resolve, SCHEDULE_READ_EVERY_MS));
      }
    })();
  }

  async finish(requestLog: readonly RequestLogEntry[]): Promise<StormTrace> {
    this.stopped = true;
    await this.reading;
    const from = this.startedAt;
    return {
      startedAt: from,
      attempts: requestLog
        .filter((entry) => entry.operation === 'AttachPolicy' && entry.at >= from)
        .map((entry) => ({ t: entry.at - from, targetId: String(entry.input.TargetId), status: entry.status, ...(entry.error === undefined ? {} : { error: entry.error }) })),
      schedule: this.schedule,
      admission: this.steps
        .filter((step) => step.startedAt >= from)
        .map(({ startedAt, answeredAt, ...step }) => ({ ...step, t: answeredAt - from, tookMs: answeredAt - startedAt })),
    };
  }
}

export function writeStormTrace(file: string, trace: StormTrace): void {
  writeFileSync(file, `${JSON.stringify(trace)}\n`);
}

/**
 * The trace by window of `windowSeconds`: first successes (pairs restored), throttled and failed
 * attempts, the schedule's base rate and its rebases, and how long the admission steps took.
 */
export function stormTimeline(trace: StormTrace, windowSeconds = 10): string {
  const windowMs = windowSeconds * 1000;
  const rows = new Map<number, { restored: number; throttled: number; failed: number; rates: number[]; versions: Set<number>; stepMs: number[] }>();
  const row = (t: number) => {
    const key = Math.floor(t / windowMs);
    let found = rows.get(key);
    if (found === undefined) rows.set(key, (found = { restored: 0, throttled: 0, failed: 0, rates: [], versions: new Set(), stepMs: [] }));
    return found;
  };
  const restored = new Set<string>();
  for (const attempt of trace.attempts) {
    const r = row(attempt.t);
    if (attempt.status === 200 && !restored.has(attempt.targetId)) {
      restored.add(attempt.targetId);
      r.restored++;
    } else if (attempt.error === 'TooManyRequestsException') r.throttled++;
    else if (attempt.status !== 200) r.failed++;
  }
  for (const { t, schedule } of trace.schedule) {
    const r = row(t);
    r.rates.push(schedule.baseRate);
    r.versions.add(schedule.version);
  }
  for (const step of trace.admission) row(step.t).stepMs.push(step.tookMs);
  const median = (values: number[]) => (values.length === 0 ? '-' : String([...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]));
  const lines = ['from (s)  restored  throttled  other errors  base rate (/s)  rebases  admission step p50 (ms)'];
  for (const [key, r] of [...rows].sort(([a], [b]) => a - b)) {
    const rate = r.rates.length === 0 ? '-' : `${Math.min(...r.rates).toFixed(2)}-${Math.max(...r.rates).toFixed(2)}`;
    lines.push(
      `${String(key * windowSeconds).padStart(8)}  ${String(r.restored).padStart(8)}  ${String(r.throttled).padStart(9)}  ${String(r.failed).padStart(12)}  ${rate.padStart(14)}  ${String(Math.max(0, r.versions.size - 1)).padStart(7)}  ${median(r.stepMs).padStart(23)}`,
    );
  }
  return lines.join('\n');
}
