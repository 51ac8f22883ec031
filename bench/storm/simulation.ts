import { admit, type Admission, type AdmitDependencies } from '../../functions/admit/admit';
import type { Ticket } from '../../functions/admit/admission-store';
import { admissionSettings, cutAt, dueAt, initialSchedule, restartAt, restartsSchedule, type AdmissionSettings, type Schedule } from '../../functions/admit/schedule';
import { percentile } from '../../cli/audit/stats';
import { ErrorName } from '../../functions/shared/errors';
import { DEFAULT_EXPECTED_ATTACH_RATE } from '../../config/schema';
import { FaultInjector, FaultName, InjectedFault, mulberry32 } from '../../local/stand-ins/organizations/fault-injector';

/**
 * A storm in simulated time: N executions against a token bucket of R requests a second (the
 * local endpoint's own FaultInjector, on the simulated clock), each going through the real
 * `admit` steps (functions/admit) on a schedule held in memory, with a crude model of the
 * workflow's latencies. It runs in about a second, so a change to the curve can be tried on
 * many seeds before a 5-minute `bench:storm` run on the real workflow measures it; its figures
 * are the model's, not the guard's.
 *
 * The model, per execution: classify ends 0.3–3.3 s after the storm's start and takes the
 * ticket; each Lambda step takes 30 ms plus 4 ms for every step started in the last second
 * (the contention of one process running hundreds of executions), ±50 %; a Wait ends 10–40 ms
 * after its timestamp; AttachPolicy reaches the API half a step after the admission. A 503 is
 * retried by ReattachPolicy after 1–2 s without a new ticket; a throttle goes to
 * ReadmitAttachment; the sixth throttle in a round ends the round with a 60 s pause (the ASL's
 * WaitBeforeRetrying) and a new ticket.
 */

export interface SimulationOptions {
  n: number;
  /** Requests per second the bucket refills, and its size. */
  rate: number;
  expectedRate?: number;
  serviceErrorProbability?: number;
  seed?: number;
  /** Curve constants to try instead of the shipped ones (functions/admit/schedule.ts CURVE). */
  curve?: Partial<AdmissionSettings>;
}

export interface SimulationFigures {
  /** Pairs restored (all of them unless the simulated hour ran out). */
  restored: number;
  lastRestoredSeconds: number;
  /** Last restored ÷ N/R. */
  paceRatio: number;
  attemptsPerRemediation: number;
  throttled: number;
  cuts: number;
  /** Rounds ended by the readmission limit (each a 60 s pause for one execution). */
  roundPauses: number;
  p50Seconds: number;
  p95Seconds: number;
}

const READMISSIONS_PER_ROUND = 5;
const ROUND_PAUSE_MS = 60_000;
const SIMULATED_HOUR_MS = 3_600_000;
/** The simulated epoch: any fixed time; the schedule only compares differences. */
const T0 = Date.parse('2026-01-01T00:00:00Z');

/** The admission item in memory: the same schedule arithmetic as AdmissionStore, one caller at a time. */
class SimulatedAdmissionStore {
  private schedule: (Schedule & { lastTakeAt: number }) | undefined;
  cuts = 0;

  constructor(private readonly settings: AdmissionSettings) {}

  async take(nowMs: number): Promise<Ticket> {
    if (this.schedule === undefined) {
      this.schedule = { ...initialSchedule(this.settings, nowMs), ticket: 1, lastTakeAt: nowMs };
      return { ticket: 1, dueAt: nowMs, schedule: this.schedule };
    }
    const idleMs = nowMs - this.schedule.lastTakeAt;
    const ticket = this.schedule.ticket + 1;
    this.schedule = { ...this.schedule, ticket, lastTakeAt: nowMs };
    if (!restartsSchedule(this.schedule, this.settings, ticket, nowMs).restarts) return { ticket, dueAt: dueAt(this.schedule, this.settings, ticket), schedule: this.schedule };
    this.schedule = { ...this.schedule, ...restartAt(this.schedule, this.settings, ticket, nowMs, idleMs), version: this.schedule.version + 1 };
    return { ticket, dueAt: nowMs, schedule: this.schedule };
  }

  async due(ticket: number, nowMs: number): Promise<Ticket> {
    if (this.schedule === undefined) return this.take(nowMs);
    return { ticket, dueAt: dueAt(this.schedule, this.settings, ticket), schedule: this.schedule };
  }

  async reportThrottle(nowMs: number, admittedAtMs: number, admittedRate: number): Promise<boolean> {
    if (this.schedule === undefined) return false;
    const cut = cutAt(this.schedule, this.settings, nowMs, admittedAtMs, admittedRate);
    if (cut === undefined) return false;
    this.schedule = { ...this.schedule, ...cut, version: this.schedule.version + 1 };
    this.cuts++;
    return true;
  }
}

/** Events in time order (ties in the order they were scheduled). */
class Timeline {
  private readonly events: { at: number; seq: number; run: () => Promise<void> | void }[] = [];
  private seq = 0;
  now = T0;

  at(at: number, run: () => Promise<void> | void): void {
    const event = { at, seq: this.seq++, run };
    let low = 0;
    let high = this.events.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.events[mid].at <= at) low = mid + 1;
      else high = mid;
    }
    this.events.splice(low, 0, event);
  }

  async run(untilMs: number): Promise<void> {
    for (let event = this.events.shift(); event !== undefined && event.at <= untilMs; event = this.events.shift()) {
      this.now = event.at;
      await event.run();
    }
  }
}

export async function simulateStorm(options: SimulationOptions): Promise<SimulationFigures> {
  const seed = options.seed ?? 1;
  const random = mulberry32(seed * 7919 + 1);
  const settings = { ...admissionSettings({ expectedRate: options.expectedRate ?? DEFAULT_EXPECTED_ATTACH_RATE, minRate: 0.2 }), ...options.curve };
  const timeline = new Timeline();
  const api = new FaultInjector({ rateLimit: { requestsPerSecond: options.rate }, serviceErrorProbability: options.serviceErrorProbability ?? 0.05, seed, clock: () => timeline.now });
  const store = new SimulatedAdmissionStore(settings);
  // The time a step slept in `admit` (CheckAdmission's rest of a second), added to the clock it reads.
  let slept = 0;
  const deps: AdmitDependencies = {
    store,
    settings,
    clock: () => timeline.now + slept,
    sleep: async (ms) => {
      slept += ms;
    },
  };
  const stepStarts: number[] = [];
  const stepMs = () => {
    const now = timeline.now;
    while (stepStarts.length > 0 && stepStarts[0] < now - 1000) stepStarts.shift();
    stepStarts.push(now);
    return (30 + 4 * stepStarts.length) * (0.5 + random());
  };
  const restored: number[] = [];
  let attempts = 0;
  let throttled = 0;
  let roundPauses = 0;

  /** One admission step: its answer, and when it was given (after any sleep in the step). */
  const step = async (run: () => Promise<Admission>) => {
    slept = 0;
    const answer = await run();
    const answeredAt = timeline.now + slept;
    slept = 0;
    return { answer, answeredAt };
  };

  const execution = () => {
    let readmissions = 0;
    const attempt = (admission: Admission) => {
      timeline.at(timeline.now + 20 + stepMs() / 2, () => {
        attempts++;
        const fault = api.check('AttachPolicy');
        if (fault === undefined) return void restored.push(timeline.now - T0);
        if (fault instanceof InjectedFault && fault.fault === FaultName.THROTTLED) {
          throttled++;
          timeline.at(timeline.now + stepMs(), () => readmit(admission));
          return;
        }
        timeline.at(timeline.now + 1000 + 1000 * random(), () => attempt(admission));
      });
    };
    const follow = ({ answer, answeredAt }: { answer: Admission; answeredAt: number }) => {
      if (answer.admitted) return timeline.at(answeredAt, () => attempt(answer));
      const wakesAt = Math.max(answeredAt, Date.parse(answer.waitUntil ?? '')) + 10 + 30 * random();
      timeline.at(wakesAt, () => timeline.at(timeline.now + stepMs(), async () => follow(await step(() => admit({ phase: 'check', admission: answer }, deps)))));
    };
    const readmit = async (admission: Admission) => {
      if (++readmissions > READMISSIONS_PER_ROUND) {
        roundPauses++;
        readmissions = 0;
        timeline.at(timeline.now + ROUND_PAUSE_MS, async () => follow(await step(() => admit({ phase: 'take' }, deps))));
        return;
      }
      follow(await step(() => admit({ phase: 'readmit', admission, error: ErrorName.ORG_THROTTLED }, deps)));
    };
    timeline.at(timeline.now + stepMs(), async () => follow(await step(() => admit({ phase: 'take' }, deps))));
  };

  for (let i = 0; i < options.n; i++) timeline.at(T0 + 300 + 3000 * random(), execution);
  await timeline.run(T0 + SIMULATED_HOUR_MS);

  const sorted = [...restored].sort((a, b) => a - b);
  const last = sorted.length === 0 ? 0 : sorted[sorted.length - 1] / 1000;
  return {
    restored: sorted.length,
    lastRestoredSeconds: last,
    paceRatio: last / (options.n / options.rate),
    attemptsPerRemediation: attempts / options.n,
    throttled,
    cuts: store.cuts,
    roundPauses,
    p50Seconds: sorted.length === 0 ? 0 : percentile(sorted, 50) / 1000,
    p95Seconds: sorted.length === 0 ? 0 : percentile(sorted, 95) / 1000,
  };
}
