import {
  CreatePolicyCommand,
  DeletePolicyCommand,
  DisablePolicyTypeCommand,
  EnablePolicyTypeCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  MoveAccountCommand,
  TooManyRequestsException,
  UpdatePolicyCommand,
} from '@aws-sdk/client-organizations';
import { DENY_LEAVE, PROD_ACCOUNT, PROD_OU, ROOT, SANDBOX_OU, UNATTACHED_SCP, sdkErrorOf, startHarness, type Harness } from './harness';

/** The FaultInjector in front of the operations the guard's restores and the sweep call. */

const SCP = 'SERVICE_CONTROL_POLICY';
const ALLOW_LEAVE = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'organizations:LeaveOrganization', Resource: '*' }] });
const REQUEST_TIMEOUT_MS = 250;

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const moveToSandbox = (harness: Harness) =>
  harness.client.send(new MoveAccountCommand({ AccountId: PROD_ACCOUNT, SourceParentId: PROD_OU, DestinationParentId: SANDBOX_OU }));

describe('faults on the operations that change the organization', () => {
  it('answers a scripted 429 to DisablePolicyType and leaves every SCP attached', async () => {
    h = await startHarness();
    h.endpoint.faults.script('DisablePolicyType', ['TooManyRequestsException']);

    const error = await sdkErrorOf(h.client.send(new DisablePolicyTypeCommand({ RootId: ROOT, PolicyType: SCP })));

    expect(error).toBeInstanceOf(TooManyRequestsException);
    expect(error.$metadata.httpStatusCode).toBe(429);
    expect(h.org.isPolicyTypeEnabled(SCP)).toBe(true);
    expect(h.org.isAttached(DENY_LEAVE, ROOT)).toBe(true);
  });

  it('answers a scripted 503 to EnablePolicyType, then serves the retry', async () => {
    h = await startHarness();
    h.org.disablePolicyType(SCP);
    h.endpoint.faults.script('EnablePolicyType', ['ServiceException']);
    const enable = () => h!.client.send(new EnablePolicyTypeCommand({ RootId: ROOT, PolicyType: SCP }));

    const error = await sdkErrorOf(enable());
    const enabledByFailedCall = h.org.isPolicyTypeEnabled(SCP);
    await enable();

    expect(error.$metadata.httpStatusCode).toBe(503);
    expect(enabledByFailedCall).toBe(false);
    expect(h.org.isPolicyTypeEnabled(SCP)).toBe(true);
    expect(h.endpoint.callCount('EnablePolicyType')).toBe(2);
    expect(h.endpoint.successCount('EnablePolicyType')).toBe(1);
  });

  it('applies a MoveAccount whose answer is lost, so the retry meets its own work (SourceParentNotFoundException)', async () => {
    h = await startHarness({}, { requestTimeoutMs: REQUEST_TIMEOUT_MS });
    h.endpoint.faults.script('MoveAccount', ['apply-then-hang']);

    const lost = await moveToSandbox(h).catch((error: Error) => error);
    const retry = await sdkErrorOf(moveToSandbox(h));

    expect((lost as Error).name).toBe('TimeoutError');
    expect(retry.name).toBe('SourceParentNotFoundException');
    expect(h.org.parentOf(PROD_ACCOUNT).id).toBe(SANDBOX_OU);
  });

  it('never lets a hung UpdatePolicy reach the organization', async () => {
    h = await startHarness({}, { requestTimeoutMs: REQUEST_TIMEOUT_MS });
    h.endpoint.faults.script('UpdatePolicy', ['hang']);
    const before = h.org.policy(DENY_LEAVE).contentText;

    const hung = await h.client.send(new UpdatePolicyCommand({ PolicyId: DENY_LEAVE, Content: ALLOW_LEAVE })).catch((error: Error) => error);

    expect((hung as Error).name).toBe('TimeoutError');
    expect(h.org.policy(DENY_LEAVE).contentText).toBe(before);
    expect(h.endpoint.requestLog.map((e) => [e.operation, e.status, e.hung])).toEqual([['UpdatePolicy', 0, true]]);
  });

  it('answers scripted faults to CreatePolicy and DeletePolicy and changes nothing', async () => {
    h = await startHarness();
    const policiesBefore = h.org.toJSON().policies.length;
    h.endpoint.faults.script('CreatePolicy', ['TooManyRequestsException']).script('DeletePolicy', ['AccessDeniedException']);

    const create = await sdkErrorOf(h.client.send(new CreatePolicyCommand({ Name: 'DenyS3', Description: '', Type: SCP, Content: ALLOW_LEAVE })));
    const remove = await sdkErrorOf(h.client.send(new DeletePolicyCommand({ PolicyId: UNATTACHED_SCP })));

    expect([create.name, remove.name]).toEqual(['TooManyRequestsException', 'AccessDeniedException']);
    expect(h.org.toJSON().policies).toHaveLength(policiesBefore);
    expect(h.org.policy(UNATTACHED_SCP).id).toBe(UNATTACHED_SCP);
  });
});

describe('the rate limit on the new operations', () => {
  it('keeps a bucket per operation: MoveAccount throttled, the reads of the sweep still served', async () => {
    const now = 0;
    h = await startHarness({ faults: { rateLimit: { requestsPerSecond: 1 }, clock: () => now } });

    await moveToSandbox(h);
    const throttled = await sdkErrorOf(
      h.client.send(new MoveAccountCommand({ AccountId: PROD_ACCOUNT, SourceParentId: SANDBOX_OU, DestinationParentId: PROD_OU })),
    );
    await h.client.send(new ListAccountsForParentCommand({ ParentId: SANDBOX_OU }));
    await h.client.send(new ListOrganizationalUnitsForParentCommand({ ParentId: ROOT }));

    expect(throttled).toBeInstanceOf(TooManyRequestsException);
    expect(throttled.message).toBe('Rate exceeded');
    expect(h.org.parentOf(PROD_ACCOUNT).id).toBe(SANDBOX_OU);
  });

  it('applies random faults to the new operations, not only to AttachPolicy', async () => {
    h = await startHarness({ faults: { serviceErrorProbability: 1, operations: ['ListAccountsForParent'] } });

    const error = await sdkErrorOf(h.client.send(new ListAccountsForParentCommand({ ParentId: SANDBOX_OU })));
    await moveToSandbox(h);

    expect(error.name).toBe('ServiceException');
    expect(h.endpoint.faults.injectedCount('ServiceException')).toBe(1);
  });
});
