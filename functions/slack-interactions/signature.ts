import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header names as a Lambda function URL delivers them (lower-cased). */
export const SIGNATURE_HEADER = 'x-slack-signature';
export const TIMESTAMP_HEADER = 'x-slack-request-timestamp';

/** Slack's replay window: a request older or newer than this is refused. */
export const MAX_CLOCK_SKEW_SECONDS = 300;

const SIGNATURE_FORMAT = /^v0=[0-9a-f]{64}$/;
const TIMESTAMP_FORMAT = /^\d{1,15}$/;

/** One request to verify. */
export interface VerifySlackRequestInput {
  /** The app's signing secret; undefined or empty means "not configured", and every request fails. */
  signingSecret: string | undefined;
  /** Request headers with lower-cased names. */
  headers: Readonly<Record<string, string | undefined>>;
  /** The body exactly as Slack sent it (already base64-decoded when the platform encoded it). */
  rawBody: string;
  now: Date;
}

/** Accepted, or refused with a short reason fit for a log line and a 401 body. */
export type VerifyResult = { ok: true } | { ok: false; reason: string };

/**
 * Verifies Slack's request signature: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}` keyed
 * with the signing secret, compared in constant time, with the timestamp within five minutes of
 * `now` either way. Fails closed; the reasons are short and never echo secret material.
 */
export function verifySlackRequest(input: VerifySlackRequestInput): VerifyResult {
  const { signingSecret, headers, rawBody, now } = input;
  if (signingSecret === undefined || signingSecret === '') return { ok: false, reason: 'no signing secret configured' };

  const signature = headers[SIGNATURE_HEADER];
  const timestamp = headers[TIMESTAMP_HEADER];
  if (signature === undefined || signature === '') return { ok: false, reason: `missing ${SIGNATURE_HEADER} header` };
  if (timestamp === undefined || timestamp === '') return { ok: false, reason: `missing ${TIMESTAMP_HEADER} header` };
  if (!TIMESTAMP_FORMAT.test(timestamp)) return { ok: false, reason: 'timestamp is not an integer' };

  const skew = Math.abs(Math.floor(now.getTime() / 1000) - Number(timestamp));
  if (skew > MAX_CLOCK_SKEW_SECONDS) return { ok: false, reason: 'timestamp outside the 5-minute window' };
  if (!SIGNATURE_FORMAT.test(signature)) return { ok: false, reason: 'signature is not v0= followed by 64 hex digits' };

  const expected = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`, 'utf8').digest('hex')}`;
  // Both are 67 ASCII characters here (format checked above), as timingSafeEqual requires.
  const matches = timingSafeEqual(Buffer.from(expected, 'utf8'), Buffer.from(signature, 'utf8'));
  return matches ? { ok: true } : { ok: false, reason: 'signature mismatch' };
}

/** The request body as text: Lambda function URLs base64-encode bodies they consider binary. */
export function decodeBody(body: string | null | undefined, isBase64Encoded: boolean | undefined): string {
  if (body === null || body === undefined) return '';
  return isBase64Encoded === true ? Buffer.from(body, 'base64').toString('utf8') : body;
}
