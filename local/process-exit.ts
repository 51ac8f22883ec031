import { constants } from 'node:os';
import { stopAllDynamoDbLocal } from './dynamodb/dynamodb-local';

/**
 * How the local commands end. A DynamoDB Local (Java) child must never outlive them, so every
 * way a command can be asked to stop ends in the same place: the work gets a moment to stop
 * cleanly, then whatever DynamoDB Local is left is stopped (killed if it lingers), and the
 * process exits with a status that says whether it failed.
 */

/** Why a command was asked to stop. */
export type StopReason =
  | { kind: 'signal'; signal: NodeJS.Signals }
  /** Whoever read stdout or stderr is gone (EPIPE): nobody sees the output any more. */
  | { kind: 'output-closed'; stream: 'stdout' | 'stderr'; code: string }
  /** The process that started this one is gone (an `npm start` wrapper that was killed). */
  | { kind: 'parent-gone'; parentPid: number };

export function describeStop(reason: StopReason): string {
  switch (reason.kind) {
    case 'signal':
      return `${reason.signal} received`;
    case 'output-closed':
      return `${reason.stream} was closed (${reason.code})`;
    case 'parent-gone':
      return `the process that started it (pid ${reason.parentPid}) is gone`;
  }
}

/** The signals that stop a local command; without a handler Node would die at once and leave Java behind. */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface StopWatch {
  /** Resolves with the first reason to stop. */
  readonly stopped: Promise<StopReason>;
  /** Resolves when a signal comes after the first reason (Ctrl-C twice): stop at once. */
  readonly again: Promise<StopReason>;
  dispose(): void;
}

export interface StopWatchOptions {
  /** How often the parent process is checked. @default 500 */
  parentPollMs?: number;
}

/**
 * Watches for the reasons to stop: SIGINT, SIGTERM, SIGHUP; an error (EPIPE) writing stdout or
 * stderr; and the parent process going away. A wrapper such as `npm start` that is killed
 * passes the signal to its shell, not to this process, which would otherwise run on, orphaned;
 * a parent that is gone shows as a changed parent pid.
 */
export function watchForStop(options: StopWatchOptions = {}): StopWatch {
  let first: ((reason: StopReason) => void) | undefined;
  let second: ((reason: StopReason) => void) | undefined;
  const stopped = new Promise<StopReason>((resolve) => (first = resolve));
  const again = new Promise<StopReason>((resolve) => (second = resolve));
  let stopping = false;
  const stop = (reason: StopReason) => {
    if (!stopping) {
      stopping = true;
      first?.(reason);
    } else if (reason.kind === 'signal') {
      // Only a person insists; a stream that keeps failing does not.
      second?.(reason);
    }
  };

  const onSignal = (signal: NodeJS.Signals) => stop({ kind: 'signal', signal });
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);

  // These listeners stay until the process exits: once a stream has failed, every later write
  // to it fails too, and an unheard 'error' would crash the process before it cleaned up.
  for (const [name, stream] of [['stdout', process.stdout], ['stderr', process.stderr]] as const) {
    stream.on('error', (error: NodeJS.ErrnoException) => stop({ kind: 'output-closed', stream: name, code: error.code ?? error.message }));
  }

  const parentPid = process.ppid;
  const poll = setInterval(() => {
    if (process.ppid !== parentPid) stop({ kind: 'parent-gone', parentPid });
  }, options.parentPollMs ?? 500);
  poll.unref();

  return {
    stopped,
    again,
    dispose: () => {
      clearInterval(poll);
      for (const signal of STOP_SIGNALS) process.removeListener(signal, onSignal);
    },
  };
}

/** How long the work gets to stop cleanly once asked; then DynamoDB Local is stopped for it. */
const WORK_GRACE_MS = 1_200;
/** How long a leftover DynamoDB Local gets after SIGTERM before SIGKILL, on the way out. */
const LEFTOVER_GRACE_MS = 300;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** Writes a line to stderr; a closed stderr is not an error worth more than the line. */
function say(line: string): void {
  try {
    process.stderr.write(`${line}\n`);
  } catch {
    // stderr is gone.
  }
}

/**
 * Runs a local command's work to the end of the process. The work gets `stopped`, for a server
 * that runs until asked to stop; a work that finishes first ends the process with its status
 * (a returned number, else `process.exitCode`). A stop request gives it `WORK_GRACE_MS` to
 * finish, then stops every DynamoDB Local that is left, within 2 s of the request in all.
 *
 * Exit status: the work's when it finished; 1 when it threw (the message on one line), when
 * an output stream closed or the parent went away; 128 + the signal's number when a signal
 * stopped a work that could not finish in time (a replay cut short).
 */
export async function exitWhenDone(work: (stopped: Promise<StopReason>) => Promise<number | void>, options: { label: string }): Promise<never> {
  const watch = watchForStop();
  type Settled = { done: number } | { failed: unknown };
  const outcome: Promise<Settled> = work(watch.stopped).then(
    (code) => ({ done: code ?? Number(process.exitCode ?? 0) }),
    (failed: unknown) => ({ failed }),
  );
  const first = await Promise.race([outcome, watch.stopped.then((reason) => ({ reason }))]);

  let code: number;
  if ('reason' in first) {
    const { reason } = first;
    say(`${options.label}: ${describeStop(reason)}: stopping`);
    const settled = await Promise.race([outcome, delay(WORK_GRACE_MS).then(() => undefined), watch.again.then(() => undefined)]);
    if (reason.kind !== 'signal') code = 1;
    else if (settled === undefined) code = 128 + (constants.signals[reason.signal] ?? 0);
    else code = 'done' in settled ? settled.done : 1;
  } else if ('failed' in first) {
    const { failed } = first;
    say(`${options.label}: ${failed instanceof Error ? failed.message : String(failed)}`);
    code = 1;
  } else {
    code = first.done;
  }
  await stopAllDynamoDbLocal(LEFTOVER_GRACE_MS);
  watch.dispose();
  process.exit(code);
}
