import { humanDuration } from '../../functions/shared/duration';
import { TimelineStep } from '../../functions/shared/vocabulary';
import { printable, wrap } from '../terminal/text';

/** How much of a step's detail a line shows: what a responder reads, or (`wide`) all of it. */
export interface DetailOptions {
  wide?: boolean;
}

/** Ids a responder does not read in a timeline: the incident names its execution once; --wide has them. */
const IDS_LEFT_OUT = new Set(['executionArn', 'snsMessageId']);

/**
 * A timeline step's detail as `key=value` words. Seconds read as a duration (`timeToRemediate=0.4 s`).
 * By default the execution ARN and the SNS message id are left out, lists are counted (`actions=2`:
 * each is listed on its own line above) and objects (a Slack message's place, a report shown above)
 * left out; `wide` prints everything, lists and objects as JSON.
 */
export function detailText(detail: Record<string, unknown>, options: DetailOptions = {}): string {
  const wide = options.wide === true;
  return Object.entries(detail)
    .filter(([key, value]) => value !== undefined && value !== null && value !== '' && (wide || (!IDS_LEFT_OUT.has(key) && (typeof value !== 'object' || Array.isArray(value)))))
    .map(([key, value]) => {
      if (key === 'timeToRemediateSeconds' && typeof value === 'number') return `timeToRemediate=${humanDuration(value)}`;
      if (typeof value === 'string') return `${key}=${printable(value)}`;
      if (typeof value !== 'object' || wide) return `${key}=${printable(JSON.stringify(value))}`;
      return `${key}=${(value as unknown[]).length}`;
    })
    .join(' ');
}

/**
 * What the default output leaves out of a step's detail because the incident's own lines say it:
 * the detection's actor, policy and target, the classification's reason. `--wide` keeps it all.
 */
const SAID_ABOVE: Partial<Record<string, readonly string[]>> = {
  [TimelineStep.DETECTED]: ['actor', 'policyId', 'targetId'],
  [TimelineStep.CLASSIFIED]: ['reason'],
};

/** A step's detail as a timeline line shows it (detailText), without what the incident's facts already said. */
export function stepDetail(step: string, detail: Record<string, unknown>, options: DetailOptions = {}): string {
  const said = options.wide === true ? [] : (SAID_ABOVE[step] ?? []);
  return detailText(Object.fromEntries(Object.entries(detail).filter(([key]) => !said.includes(key))), options);
}

/** One step of a timeline: when, which step, and its detail wrapped under its own column. */
export interface TimelineLine {
  when: string;
  step: string;
  detail: string;
}

/**
 * Steps as aligned lines: `when` and `step` in columns, the detail after them, wrapped within
 * `width` under its column (or, when that leaves it less than half the line, under the step).
 */
export function timelineLines(steps: readonly TimelineLine[], width: number, indent = '  '): string[] {
  const whenWidth = Math.max(0, ...steps.map((s) => s.when.length));
  const stepWidth = Math.max(0, ...steps.map((s) => s.step.length));
  const column = indent.length + whenWidth + 2 + stepWidth + 2;
  const hang = ' '.repeat(width - column < width / 2 ? indent.length + whenWidth + 2 : column);
  return steps.flatMap((s) => {
    const head = `${indent}${s.when.padEnd(whenWidth)}  ${s.step.padEnd(stepWidth)}  `;
    if (s.detail === '') return [head.trimEnd()];
    return wrap(s.detail, width, head, hang);
  });
}
