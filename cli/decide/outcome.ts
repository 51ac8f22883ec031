/** What `scp-guardian decide` prints: one line, and whether the decision was taken. */
export interface DecideOutcome {
  ok: boolean;
  message: string;
  /** A second line for stderr, e.g. what the caller may want to do next. */
  note?: string;
}

/** A problem the command explains in one line (no stack trace): bad options, no credentials. */
export class DecideCommandError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DecideCommandError';
  }
}
