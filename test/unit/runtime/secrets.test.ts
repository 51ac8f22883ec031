import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { SECRET_MAX_AGE_SECONDS, secretValue } from '../../../functions/shared/secrets';
import { verifySlackRequest } from '../../../functions/slack-interactions/signature';

const secrets = mockClient(SecretsManagerClient);
const arn = (name: string) => `arn:aws:secretsmanager:us-east-1:111122223333:secret:${name}`;

describe('a Slack secret read in Lambda', () => {
  afterEach(() => {
    secrets.reset();
    jest.useRealTimers();
  });
  afterAll(() => secrets.restore());

  it('is the secret string without surrounding blanks', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: arn('bot') }).resolves({ SecretString: ' xoxb-token\n' });

    expect(await secretValue(arn('bot'))).toBe('xoxb-token');
  });

  it('is undefined while the secret holds only blanks', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: arn('blank') }).resolves({ SecretString: '  ' });

    expect(await secretValue(arn('blank'))).toBeUndefined();
  });

  it.each([
    ['empty', { SecretString: '' }],
    ['absent', {}],
  ])('is read once while its value is %s, as a set value is', async (name, answer) => {
    secrets.on(GetSecretValueCommand, { SecretId: arn(`not-set-${name}`) }).resolves(answer);

    const values = [await secretValue(arn(`not-set-${name}`)), await secretValue(arn(`not-set-${name}`)), await secretValue(arn(`not-set-${name}`))];

    expect(values).toEqual([undefined, undefined, undefined]);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('reads an empty secret again after five minutes and picks up the value set since', async () => {
    jest.useFakeTimers({ now: new Date('2026-12-01T10:00:00Z') });
    secrets.on(GetSecretValueCommand, { SecretId: arn('set-later') }).resolves({ SecretString: '' });
    await secretValue(arn('set-later'));
    secrets.on(GetSecretValueCommand, { SecretId: arn('set-later') }).resolves({ SecretString: 'xoxb-set' });

    jest.advanceTimersByTime(SECRET_MAX_AGE_SECONDS * 1000 - 1000);
    const within = await secretValue(arn('set-later'));
    jest.advanceTimersByTime(2000);
    const after = await secretValue(arn('set-later'));

    expect(within).toBeUndefined();
    expect(after).toBe('xoxb-set');
  });

  it('leaves every Slack request refused while the signing secret is empty, read or kept', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: arn('empty-signing') }).resolves({ SecretString: '' });
    const request = { headers: { 'x-slack-signature': `v0=${'0'.repeat(64)}`, 'x-slack-request-timestamp': '1796119200' }, rawBody: 'payload=%7B%7D', now: new Date('2026-12-01T10:00:00Z') };

    const first = verifySlackRequest({ ...request, signingSecret: await secretValue(arn('empty-signing')) });
    const kept = verifySlackRequest({ ...request, signingSecret: await secretValue(arn('empty-signing')) });

    expect([first, kept]).toEqual([
      { ok: false, reason: 'no signing secret configured' },
      { ok: false, reason: 'no signing secret configured' },
    ]);
  });

  it('keeps its value for five minutes, then reads the rotated one', async () => {
    jest.useFakeTimers({ now: new Date('2026-12-01T10:00:00Z') });
    secrets.on(GetSecretValueCommand, { SecretId: arn('signing') }).resolves({ SecretString: 'before' });
    await secretValue(arn('signing'));
    secrets.on(GetSecretValueCommand, { SecretId: arn('signing') }).resolves({ SecretString: 'rotated' });

    jest.advanceTimersByTime(SECRET_MAX_AGE_SECONDS * 1000 - 1000);
    const within = await secretValue(arn('signing'));
    jest.advanceTimersByTime(2000);
    const after = await secretValue(arn('signing'));

    expect(within).toBe('before');
    expect(after).toBe('rotated');
  });

  it("fails with Secrets Manager's own error, named as the SDK names it", async () => {
    secrets.on(GetSecretValueCommand, { SecretId: arn('denied') }).rejects(Object.assign(new Error('not authorized to perform secretsmanager:GetSecretValue'), { name: 'AccessDeniedException' }));

    await expect(secretValue(arn('denied'))).rejects.toMatchObject({ name: 'AccessDeniedException', message: expect.stringContaining('secretsmanager:GetSecretValue') });
  });

  it('does not keep a failed read: the next call asks again', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: arn('flaky') }).rejectsOnce(Object.assign(new Error('throttled'), { name: 'ThrottlingException' })).resolves({ SecretString: 'xoxb-later' });

    await expect(secretValue(arn('flaky'))).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(await secretValue(arn('flaky'))).toBe('xoxb-later');
  });
});
