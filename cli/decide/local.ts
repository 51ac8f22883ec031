import { formatOverrideDuration } from '../../functions/shared/decisions/override-duration';
import type { HumanDecision } from '../../functions/shared/vocabulary';
import { readServeToken, serveTokenPath, ServeTokenMissingError } from '../../local/http/serve-token';
import { parseLocalUrl } from '../local-option';
import { DecideCommandError, type DecideOutcome } from './outcome';

/** A decision for a running `scp-guardian local --serve`. */
export interface LocalDecisionRequest {
  /** The server's base URL, e.g. http://127.0.0.1:8787. */
  url: string;
  incidentId: string;
  decision: HumanDecision;
  reason?: string;
  /** For an override: how long it lasts, in minutes; the server's rules bound it. */
  forMinutes?: number;
  by: string;
  /** The data folder the server was started with: its `serve-token` authorises the request. */
  dataDir: string;
}

/** fetch says "fetch failed"; the reason (ECONNREFUSED, a timeout) is in its cause. */
function networkProblem(error: unknown): string {
  const cause = (error as { cause?: { message?: unknown } } | undefined)?.cause;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** The server's token, from the data folder it was started with. */
function serveToken(dataDir: string): string {
  try {
    return readServeToken(dataDir);
  } catch (error) {
    if (error instanceof ServeTokenMissingError) throw new DecideCommandError(error.message, { cause: error });
    throw error;
  }
}

/**
 * POSTs the decision to `/incidents/ID/decision` on the local server, which takes it through
 * the same `decide()` as a Slack click, via 'cli'; authorised by the token the server wrote to
 * its data folder.
 */
export async function decideOnLocal(request: LocalDecisionRequest): Promise<DecideOutcome> {
  const base = parseLocalUrl(request.url, (message) => new DecideCommandError(message));
  const endpoint = new URL(`incidents/${encodeURIComponent(request.incidentId)}/decision`, base);
  const token = serveToken(request.dataDir);
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        decision: request.decision,
        reason: request.reason,
        by: request.by,
        ...(request.forMinutes === undefined ? {} : { for: formatOverrideDuration(request.forMinutes) }),
      }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new DecideCommandError(`cannot reach scp-guardian local --serve at ${base.origin}: ${networkProblem(error)}`);
  }
  if (response.status === 401) {
    throw new DecideCommandError(
      `${base.origin} refused the token in ${serveTokenPath(request.dataDir)}: that server was started with another data folder; give its --data-dir`,
    );
  }
  const text = await response.text();
  let answer: { ok?: unknown; message?: unknown; error?: unknown };
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    throw new DecideCommandError(`${base.origin} answered HTTP ${response.status} without JSON: is it scp-guardian local --serve?`);
  }
  const message = typeof answer.message === 'string' ? answer.message : typeof answer.error === 'string' ? answer.error : `HTTP ${response.status}`;
  return { ok: answer.ok === true && response.ok, message };
}
