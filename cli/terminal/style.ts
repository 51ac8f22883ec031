import { Outcome } from '../../functions/shared/vocabulary';

/** How a command's text output is laid out: the width it fits, and whether it may colour. */
export interface TextStyle {
  /** Lines are at most this wide; Infinity with `--wide`. */
  width: number;
  paint: Paint;
}

/** Colours for a few words (outcomes, headings); each returns its text as it is when colour is off. */
export interface Paint {
  good(text: string): string;
  warn(text: string): string;
  bad(text: string): string;
  strong(text: string): string;
}

const sgr = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
const same = (text: string) => text;

export const PLAIN: Paint = { good: same, warn: same, bad: same, strong: same };
export const COLOURED: Paint = { good: sgr(32, 39), warn: sgr(33, 39), bad: sgr(31, 39), strong: sgr(1, 22) };

/** Where the output goes, as far as its look is concerned. */
export interface OutputStream {
  isTTY?: boolean;
  columns?: number;
  hasColors?: () => boolean;
}

/** Without a terminal to measure, and without COLUMNS, lines fit this. */
export const DEFAULT_WIDTH = 80;

/** https://no-color.org: present and not empty turns colour off. */
const noColor = (env: NodeJS.ProcessEnv) => env.NO_COLOR !== undefined && env.NO_COLOR !== '';

/**
 * The style for `stream`: its width on a terminal, else $COLUMNS, else 80 columns, or no limit
 * with `wide`; colour only on a terminal that has colours, and never with NO_COLOR set.
 */
export function textStyle(stream: OutputStream, env: NodeJS.ProcessEnv, options: { wide?: boolean } = {}): TextStyle {
  const tty = stream.isTTY === true;
  const measured = tty && stream.columns !== undefined && stream.columns > 0 ? stream.columns : Number(env.COLUMNS) || DEFAULT_WIDTH;
  const colour = tty && !noColor(env) && (stream.hasColors?.() ?? true);
  return { width: options.wide === true ? Number.POSITIVE_INFINITY : measured, paint: colour ? COLOURED : PLAIN };
}

/** An outcome (or a status, for an incident not closed) in the colour a responder reads first. */
export function paintOutcome(paint: Paint, text: string): string {
  switch (text) {
    case Outcome.REATTACHED:
    case Outcome.ALREADY_ATTACHED:
    case Outcome.RESTORED:
      return paint.good(text);
    case Outcome.OVERRIDDEN:
      return paint.warn(text);
    case Outcome.OBSERVED:
    case Outcome.DUPLICATE:
      return text;
    default:
      // FAILED, and anything that did not reach an outcome.
      return paint.bad(text);
  }
}
