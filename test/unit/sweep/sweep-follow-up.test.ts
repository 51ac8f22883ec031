import { DetachPolicyCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { toDocumentClient } from '../../../functions/shared/clients/dynamodb';
import { DesiredReason, pairKey } from '../../../functions/shared/desired/desired-state';
import { driftIncidentId } from '../../../functions/shared/drift';
import { IncidentStatus, Kind, Outcome } from '../../../functions/shared/vocabulary';
import { LOCAL_CREDENTIALS, LOCAL_REGION, localDynamoDbClient } from '../../../local/dynamodb/dynamodb-local';
import type { LocalEnvironment } from '../../../local/environment';
import { record } from '../../support/audit-incidents';
import { Org, startEnvironment } from '../../support/local-harness';
import { incidentOf, laggingIndex, sweepNow } from './support';

const HOUR = 3600_000;

/**
 * What the sweep does after a drift's execution did not restore the pair: an execution that
 * left no incident, a FAILED incident whose error is permanent or transient, a chain of taken
 * ids. Each on the local components, the real ASL behind every drift.
 */
describe('the sweep, after a remediation that did not restore the pair', () => {
  let env: LocalEnvironment | undefined;
  let organizations: OrganizationsClient | undefined;
  afterEach(async () => {
    organizations?.destroy();
    organizations = undefined;
    await env?.stop();
    env = undefined;
  });

  async function start(options: Parameters<typeof startEnvironment>[0] = {}): Promise<LocalEnvironment> {
    env = await startEnvironment(options);
    organizations = new OrganizationsClient({ region: LOCAL_REGION, endpoint: env.organizationsUrl, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
    await env.sweep();
    return env;
  }
  const detachSilently = (policyId: string, targetId: string) => organizations?.send(new DetachPolicyCommand({ PolicyId: policyId, TargetId: targetId }));

  it('starts a new incident, and fails the sweep, when the drift execution of that name could not even classify it', async () => {
    const local = await start();
    await detachSilently(Org.denyLeave, Org.root);
    // Both classifications fail: the execution records `unclassified-<execution name>` and fails.
    local.workflow.scriptLambdaErrors('classify', ['Error', 'Error']);
    const first = await local.sweep();
    const [stuckId] = first.result.incidents;
    expect((await Promise.all(first.executions)).map((execution) => execution.status)).toEqual(['FAILED']);
    expect(await local.audit.getIncident(stuckId)).toBeUndefined();
    expect(await local.audit.getIncident(`unclassified-${stuckId}`)).toMatchObject({ status: IncidentStatus.CLOSED });

    // The next sweep computes the same id; Step Functions answers ExecutionAlreadyExists.
    const next = await sweepNow(local);

    expect(next.drift).toEqual([expect.objectContaining({ policyId: Org.denyLeave, targetId: Org.root, follows: stuckId, status: 'started' })]);
    expect(next.incidents).toEqual([next.drift[0].incidentId]);
    expect(next.errors).toEqual([expect.stringMatching(new RegExp(`^${stuckId}: its execution exists but could not classify the drift \\(unclassified-${stuckId}, \\w+\\): ${Org.denyLeave} on ${Org.root} was not restored by it`))]);
    expect((await incidentOf(local, next.incidents[0], { closed: true })).outcome).toBe(Outcome.REATTACHED);
    expect(local.organization?.isAttached(Org.denyLeave, Org.root)).toBe(true);
  });

  it('starts a new incident, and fails the sweep, when the drift execution of that name recorded nothing at all', async () => {
    const local = await start();
    await detachSilently(Org.denyLeave, Org.root);
    // The audit store takes neither the claim nor the close, and the AttachPolicy fails.
    // The direct claim and its one retry fail, then the close; a permanent error answers both attempts.
    local.workflow.scriptIntegrationErrors('dynamodb:transactWriteItems', ['DynamoDb.InternalServerErrorException', 'DynamoDb.InternalServerErrorException']);
    local.workflow.scriptLambdaErrors('close', ['Error']);
    local.organizationsEndpoint?.faults.script('AttachPolicy', ['AccessDeniedException', 'AccessDeniedException']);
    const first = await local.sweep();
    const [lostId] = first.result.incidents;
    expect((await Promise.all(first.executions)).map((execution) => execution.status)).toEqual(['FAILED']);
    expect(await local.audit.getIncident(lostId)).toBeUndefined();
    expect(await local.audit.getIncident(`unclassified-${lostId}`)).toBeUndefined();
    expect(local.organization?.isAttached(Org.denyLeave, Org.root)).toBe(false);

    const next = await sweepNow(local);

    expect(next.drift).toEqual([expect.objectContaining({ policyId: Org.denyLeave, targetId: Org.root, follows: lostId, status: 'started' })]);
    expect(next.errors).toEqual([expect.stringMatching(new RegExp(`^${lostId}: its execution exists but recorded no incident: ${Org.denyLeave} on ${Org.root} was not restored by it; a new incident follows it$`))]);
    expect((await incidentOf(local, next.incidents[0], { closed: true })).outcome).toBe(Outcome.REATTACHED);
    expect(local.organization?.isAttached(Org.denyLeave, Org.root)).toBe(true);
  });

  it('follows a FAILED incident whose retries ran out at once, with a new incident that names it', async () => {
    const local = await start({ remediationDeadlineSeconds: 1 });
    await detachSilently(Org.fullAccess, Org.prodOu);
    local.organizationsEndpoint?.faults.script('AttachPolicy', Array(2000).fill('TooManyRequestsException'));
    const failed = await local.sweep();
    await Promise.all(failed.executions);
    local.organizationsEndpoint?.faults.clearScripts();
    const [failedId] = failed.result.incidents;
    expect((await local.audit.getIncident(failedId))?.cause).toMatch(/^retries exhausted: /);

    const next = await local.sweep();
    await Promise.all(next.executions);

    expect(next.result.drift).toEqual([expect.objectContaining({ follows: failedId, status: 'started' })]);
    expect(next.result.warnings).toEqual([]);
    expect((await local.audit.getIncident(next.result.incidents[0]))?.outcome).toBe(Outcome.REATTACHED);
  });

  it('leaves a pair whose incident failed for good alone for a day, warning every sweep, then tries again', async () => {
    const local = await start();
    await detachSilently(Org.fullAccess, Org.prodOu);
    // A permanent error answers every attempt: the workflow's own first one and the reattach function's.
    local.organizationsEndpoint?.faults.script('AttachPolicy', ['AccessDeniedException', 'AccessDeniedException']);
    const failed = await local.sweep();
    await Promise.all(failed.executions);
    const [failedId] = failed.result.incidents;
    const incident = await local.audit.getIncident(failedId);
    expect(incident).toMatchObject({ outcome: Outcome.FAILED, cause: expect.stringMatching(/^Organizations\.AccessDeniedException: /) });
    const warning = new RegExp(`^${Org.fullAccess} on ${Org.prodOu}: still missing; ${failedId} failed for good \\(Organizations\\.AccessDeniedException: .*\\), so the sweep tries again from ${new Date(Date.parse(incident?.closedAt ?? '') + 24 * HOUR).toISOString()}`);

    for (let sweep = 0; sweep < 2; sweep++) {
      const again = await local.sweep();
      expect(again.result.drift).toEqual([]);
      expect(again.result.incidents).toEqual([]);
      expect(again.result.warnings).toEqual([expect.stringMatching(warning)]);
    }
    const dayLater = await sweepNow(local, { clock: () => new Date(Date.now() + 24 * HOUR + 60_000) });

    expect(dayLater.drift).toEqual([expect.objectContaining({ follows: failedId, status: 'started' })]);
    expect((await incidentOf(local, dayLater.incidents[0], { closed: true })).outcome).toBe(Outcome.REATTACHED);
  });

  it('releases a pair whose target left the organization, instead of a FAILED incident every sweep', async () => {
    const local = await start();
    local.organization?.attachPolicy(Org.denyLeave, Org.sandboxAccount);
    await local.sweep();
    local.organization?.removeTarget(Org.sandboxAccount);
    const first = await local.sweep();
    await Promise.all(first.executions);
    const [failedId] = first.result.incidents;
    expect((await local.audit.getIncident(failedId))?.cause).toMatch(/^Organizations\.TargetNotFoundException: /);

    const second = await local.sweep();
    const third = await local.sweep();

    expect(second.result.drift).toEqual([]);
    expect(second.result.changes).toContainEqual({ type: 'pair', policyId: Org.denyLeave, targetId: Org.sandboxAccount, desired: false, reason: DesiredReason.TARGET_GONE });
    expect(second.result.warnings).toContainEqual(expect.stringMatching(new RegExp(`^${Org.denyLeave} on ${Org.sandboxAccount}: the target is no longer in the organization`)));
    expect((await local.desired.pairHistory(Org.denyLeave, Org.sandboxAccount)).at(-1)).toMatchObject({ desired: false, reason: DesiredReason.TARGET_GONE, incidentId: failedId });
    expect(third.result.drift).toEqual([]);
    expect(third.result.changes).toEqual([]);
    expect(third.result.warnings).toEqual([]);
  });

  it('fails the sweep, naming the pair, when the ids a drift may hop along are all taken', async () => {
    const local = await start();
    await detachSilently(Org.denyLeave, Org.root);
    const lastDesiredAt = (await local.desired.pairs()).get(pairKey(Org.denyLeave, Org.root))?.at as string;
    // Six incidents in a row along the drift's chain of ids, each CLOSED without the pair restored.
    const table = { db: toDocumentClient(localDynamoDbClient(local.dynamoDbEndpoint)), tableName: local.tableName };
    let follows: string | undefined;
    const chain: string[] = [];
    for (let i = 0; i < 6; i++) {
      const id = driftIncidentId(Kind.DRIFT, Org.denyLeave, Org.root, lastDesiredAt, follows);
      await record(table, { incidentId: id, detectedAt: new Date(Date.now() - (6 - i) * 60_000).toISOString(), policyId: Org.denyLeave, targetId: Org.root }, { outcome: Outcome.FAILED });
      chain.push(id);
      follows = id;
    }

    // The byTarget index has not caught up with any of them.
    const result = await sweepNow(local, { queries: laggingIndex() });

    expect(result.drift).toEqual([]);
    expect(result.incidents).toEqual([]);
    expect(result.errors).toEqual([expect.stringMatching(new RegExp(`^${Org.denyLeave} on ${Org.root}: still missing, and 5 incident ids in a row were taken .*\\(the last ${chain[5]}\\): no drift started`))]);
  });
});
