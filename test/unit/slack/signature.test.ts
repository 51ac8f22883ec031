import fc from 'fast-check';
import vector from './fixtures/slack-signature-vector.json';
import { decodeBody, verifySlackRequest, type VerifySlackRequestInput } from '../../../functions/slack-interactions/signature';
import { slackSignature } from '../../support/slack-signing';

const atVectorTime = new Date(Number(vector.timestamp) * 1000);

function verify(overrides: Partial<{ secret: string | undefined; timestamp: string; body: string; signature: string; now: Date }> = {}) {
  const input: VerifySlackRequestInput = {
    signingSecret: 'secret' in overrides ? overrides.secret : vector.signing_secret,
    headers: {
      'x-slack-request-timestamp': overrides.timestamp ?? vector.timestamp,
      'x-slack-signature': overrides.signature ?? vector.signature,
    },
    rawBody: overrides.body ?? vector.body,
    now: overrides.now ?? atVectorTime,
  };
  return verifySlackRequest(input);
}

/** Every string that differs from `text` in exactly one position, with the character `swap` picks. */
function singleCharacterChanges(text: string, swap: (c: string) => string): string[] {
  return [...text].map((c, i) => text.slice(0, i) + swap(c) + text.slice(i + 1));
}

const otherChar = (c: string) => (c === 'a' ? 'b' : 'a');
const otherDigit = (c: string) => String((Number(c) + 1) % 10);
const otherHex = (c: string) => ((parseInt(c, 16) + 1) % 16).toString(16);

describe('verifySlackRequest', () => {
  it("accepts Slack's public example at its own timestamp", () => {
    expect(verify()).toEqual({ ok: true });
  });

  it('rejects every single-character change to the signing secret', () => {
    const accepted = singleCharacterChanges(vector.signing_secret, otherChar).filter((secret) => verify({ secret }).ok);
    expect(accepted).toEqual([]);
  });

  it('rejects every single-character change to the timestamp, even with the clock moved to match it', () => {
    const results = singleCharacterChanges(vector.timestamp, otherDigit).map((timestamp) => verify({ timestamp, now: new Date(Number(timestamp) * 1000) }));
    expect(results.filter((r) => r.ok)).toEqual([]);
    expect(results.every((r) => !r.ok && r.reason === 'signature mismatch')).toBe(true);
  });

  it('rejects every single-character change to the body', () => {
    const accepted = singleCharacterChanges(vector.body, otherChar).filter((body) => verify({ body }).ok);
    expect(accepted).toEqual([]);
  });

  it('rejects every single-character change to the signature', () => {
    const hexPart = vector.signature.slice(3);
    const changedPrefix = singleCharacterChanges('v0=', otherChar).map((prefix) => prefix + hexPart);
    const changedHex = singleCharacterChanges(hexPart, otherHex).map((hex) => `v0=${hex}`);
    const accepted = [...changedPrefix, ...changedHex].filter((signature) => verify({ signature }).ok);
    expect(accepted).toEqual([]);
    expect(changedHex.map((signature) => verify({ signature }))).toContainEqual({ ok: false, reason: 'signature mismatch' });
  });

  it('rejects a signature written in upper-case hex', () => {
    expect(verify({ signature: `v0=${vector.signature.slice(3).toUpperCase()}` }).ok).toBe(false);
  });

  it('accepts any body it signed and rejects any other body (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (body, other) => {
        const signature = slackSignature(vector.signing_secret, vector.timestamp, body);
        expect(verify({ body, signature }).ok).toBe(true);
        if (other !== body) expect(verify({ body: other, signature }).ok).toBe(false);
      }),
    );
  });

  it('accepts a timestamp exactly five minutes old or ahead', () => {
    expect(verify({ now: new Date(atVectorTime.getTime() + 300_000) }).ok).toBe(true);
    expect(verify({ now: new Date(atVectorTime.getTime() - 300_000) }).ok).toBe(true);
  });

  it('rejects a stale timestamp (more than five minutes old)', () => {
    expect(verify({ now: new Date(atVectorTime.getTime() + 301_000) })).toEqual({ ok: false, reason: 'timestamp outside the 5-minute window' });
  });

  it('rejects a timestamp more than five minutes in the future', () => {
    expect(verify({ now: new Date(atVectorTime.getTime() - 301_000) })).toEqual({ ok: false, reason: 'timestamp outside the 5-minute window' });
  });

  it('rejects a valid signature checked against the real clock (the example is from 2018)', () => {
    expect(verify({ now: new Date() }).ok).toBe(false);
  });

  it.each([
    ['a fraction', '1531420618.5'],
    ['a negative number', '-1531420618'],
    ['letters', 'abc'],
    ['a number with spaces', ' 1531420618'],
  ])('rejects a timestamp that is %s', (_what, timestamp) => {
    expect(verify({ timestamp })).toEqual({ ok: false, reason: 'timestamp is not an integer' });
  });

  it('fails closed when no signing secret is configured', () => {
    expect(verify({ secret: undefined })).toEqual({ ok: false, reason: 'no signing secret configured' });
    expect(verify({ secret: '' })).toEqual({ ok: false, reason: 'no signing secret configured' });
  });

  it('rejects a request without a signature header', () => {
    const result = verifySlackRequest({ signingSecret: vector.signing_secret, headers: { 'x-slack-request-timestamp': vector.timestamp }, rawBody: vector.body, now: atVectorTime });
    expect(result).toEqual({ ok: false, reason: 'missing x-slack-signature header' });
  });

  it('rejects a request without a timestamp header', () => {
    const result = verifySlackRequest({ signingSecret: vector.signing_secret, headers: { 'x-slack-signature': vector.signature }, rawBody: vector.body, now: atVectorTime });
    expect(result).toEqual({ ok: false, reason: 'missing x-slack-request-timestamp header' });
  });

  it.each([
    ['another version', `v1=${vector.signature.slice(3)}`],
    ['no prefix', vector.signature.slice(3)],
    ['a short digest', vector.signature.slice(0, -2)],
    ['a long digest', `${vector.signature}00`],
    ['non-hex characters', `v0=${'z'.repeat(64)}`],
  ])('rejects a signature with %s', (_what, signature) => {
    expect(verify({ signature })).toEqual({ ok: false, reason: 'signature is not v0= followed by 64 hex digits' });
  });
});

describe('decodeBody', () => {
  it('returns a plain body unchanged', () => {
    expect(decodeBody(vector.body, false)).toBe(vector.body);
  });

  it('decodes a base64 body to the exact bytes Slack signed', () => {
    const encoded = Buffer.from(vector.body, 'utf8').toString('base64');
    expect(verify({ body: decodeBody(encoded, true) }).ok).toBe(true);
  });

  it('does not verify a base64 body left encoded', () => {
    const encoded = Buffer.from(vector.body, 'utf8').toString('base64');
    expect(verify({ body: decodeBody(encoded, false) }).ok).toBe(false);
  });

  it('treats a missing body as empty', () => {
    expect(decodeBody(undefined, true)).toBe('');
  });
});
