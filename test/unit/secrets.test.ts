import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { SECRET_MAX_AGE_SECONDS, secretValue } from '../../functions/shared/secrets';

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
