import { DetachPolicyCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { join } from 'node:path';
import { AuditStore } from '../../../functions/shared/audit/audit-store';
import { toDocumentClient } from '../../../functions/shared/clients/dynamodb';
import { SWEEP_ORGANIZATIONS_CLIENT_OPTIONS } from '../../../functions/shared/clients/organizations';
import { DesiredReason } from '../../../functions/shared/desired/desired-state';
import type { DesiredStateStore } from '../../../functions/shared/desired/desired-store';
import { loadProtectionRules } from '../../../config/load';
import { Decision, IncidentStatus, Kind, Outcome, Source } from '../../../functions/shared/vocabulary';
import { LOCAL_CREDENTIALS, LOCAL_REGION, localDynamoDbClient } from '../../../local/dynamodb/dynamodb-local';
import type { LocalEnvironment } from '../../../local/environment';
import { loadOrganizationFile } from '../../../local/stand-ins/organizations/organization-file';
import { incident } from '../../support/audit-incidents';
import { detachEvent } from '../../support/events';
import { Org, replay, startEnvironment } from '../../support/local-harness';
import { PROJECT_ROOT } from '../../../cli/project-root';
import { incidentOf, laggingIndex, sweepNow } from './support';

const PIPELINE = 'arn:aws:iam::111122223333:role/OrgPipelineRole';

/**
 * The sweep among the other writers of the desired state and the audit trail: the workflow
 * releasing a pair while a sweep runs, a second sweep overlapping the first, the daily canary
 * restoring its own pair, and a sweep that runs out of time. On the local components, the real
 * ASL behind every drift.
 */
describe('the sweep, overlapping the workflow and other sweeps', () => {
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
  /** A detachment straight on the endpoint: no event, as if EventBridge lost it. */
  const detachSilently = (policyId: string, targetId: string) => organizations?.send(new DetachPolicyCommand({ PolicyId: policyId, TargetId: targetId }));
  /** The desired store as a sweep saw it when it started: `pairs()` answers what it read then. */
  const readAtStart = (desired: DesiredStateStore, snapshot: Awaited<ReturnType<DesiredStateStore['pairs']>>) =>
    Object.assign(Object.create(desired) as DesiredStateStore, { pairs: async () => snapshot });

  it('does not undo a detachment by an ignored principal that released the pair while the sweep ran', async () => {
    const local = await start();
    const atStart = await local.desired.pairs();
    // While the sweep reads the organization, the pipeline detaches the pair and the workflow releases it.
    await replay(local, detachEvent({ policyId: Org.denyLeave, targetId: Org.root, principalArn: PIPELINE }));
    expect((await local.desired.pairHistory(Org.denyLeave, Org.root)).at(-1)).toMatchObject({ desired: false, reason: DesiredReason.IGNORED_PRINCIPAL });

    const result = await sweepNow(local, { desired: readAtStart(local.desired, atStart) });

    expect(result.drift).toEqual([]);
    expect(result.incidents).toEqual([]);
    expect(result.notes).toContainEqual(expect.stringMatching(new RegExp(`^${Org.denyLeave} on ${Org.root}: the desired state changed while the sweep ran \\(ignored-principal at \\S+ by ${PIPELINE}`)));
    expect(local.organization?.isAttached(Org.denyLeave, Org.root)).toBe(false);
  });

  it('does not undo an override that closed while the sweep ran', async () => {
    const local = await start();
    const atStart = await local.desired.pairs();
    const event = detachEvent({ policyId: Org.protectCloudTrail, targetId: Org.sandboxOu });
    const eventId = (event.detail as { eventID: string }).eventID;
    const execution = replay(local, event);
    await waitForStatus(local, eventId, IncidentStatus.AWAITING_DECISION);
    await local.decideIncident(eventId, Decision.OVERRIDE, 'U0APPROVER', 'migration of the sandbox trail', 120);
    await execution;
    expect((await local.audit.getIncident(eventId))?.outcome).toBe(Outcome.OVERRIDDEN);

    const result = await sweepNow(local, { desired: readAtStart(local.desired, atStart) });

    expect(result.drift).toEqual([]);
    expect(result.notes).toContainEqual(expect.stringMatching(new RegExp(`^${Org.protectCloudTrail} on ${Org.sandboxOu}: the desired state changed while the sweep ran \\(override at .* by U0APPROVER, incident ${eventId}\\)`)));
    expect(local.organization?.isAttached(Org.protectCloudTrail, Org.sandboxOu)).toBe(false);
  });

  it('takes an open incident under the drift id for the explanation when the index does not list it yet, and starts no second remediation', async () => {
    const local = await start();
    await detachSilently(Org.protectCloudTrail, Org.sandboxOu);
    // An approval rule: the first drift's execution waits for a decision, open, as long as the test needs.
    const first = await local.sweep();
    const [firstId] = first.result.incidents;
    await waitForStatus(local, firstId, IncidentStatus.AWAITING_DECISION);

    // A second sweep whose byTarget Query does not list it (the index is eventually consistent).
    const second = await sweepNow(local, { queries: laggingIndex() });

    expect(second.drift).toEqual([]);
    expect(second.incidents).toEqual([]);
    expect(second.explained).toEqual([{ policyId: Org.protectCloudTrail, targetId: Org.sandboxOu, incidentId: firstId }]);
    await local.decideIncident(firstId, Decision.APPROVE, 'U0APPROVER');
    await Promise.all(first.executions);
    expect((await local.audit.getIncident(firstId))?.outcome).toBe(Outcome.REATTACHED);
  });

  it.each([
    ['the daily canary', { source: Source.CANARY }],
    ['the self-test', { source: Source.SELF_TEST, selfTest: true }],
  ])("takes %s's open incident for the explanation of its pair's absence", async (_name, marks) => {
    const canary = { policyId: 'p-canary01', targetId: 'ou-a1b2-canary01' };
    const local = await start({
      rules: loadProtectionRules(join(PROJECT_ROOT, 'samples/canary/protection-rules.json')),
      organization: loadOrganizationFile(join(PROJECT_ROOT, 'samples/canary/organization.json')),
    });
    // Its own remediation is under way: claimed as the workflow's Claim records it, not closed yet.
    const running = { ...incident({ detectedAt: new Date().toISOString(), policyId: canary.policyId, targetId: canary.targetId }), kind: Kind.DETACHED, ...marks };
    await new AuditStore(toDocumentClient(localDynamoDbClient(local.dynamoDbEndpoint)), local.tableName).claimIncident(running, 'arn:aws:states:us-east-1:111122223333:execution:scp-guardian:canary');
    await detachSilently(canary.policyId, canary.targetId);

    const { result } = await local.sweep();

    expect(result.drift).toEqual([]);
    expect(result.incidents).toEqual([]);
    expect(result.explained).toEqual([{ ...canary, incidentId: running.incidentId }]);
  });

  it('starts the drifts and records the pairs before it walks the accounts, so a sweep out of time still restores', async () => {
    const local = await start();
    await detachSilently(Org.denyLeave, Org.root);
    local.organization?.attachPolicy(Org.denyLeave, Org.sandboxAccount);
    // The walk for the accounts' parents never gets an answer before the deadline.
    local.organizationsEndpoint?.faults.script('ListChildren', Array(100).fill('hang'));

    const result = await sweepNow(local, {}, { deadline: new Date(Date.now() + 6_000) });

    expect(result.drift).toEqual([expect.objectContaining({ policyId: Org.denyLeave, targetId: Org.root, status: 'started' })]);
    expect((await local.desired.pairHistory(Org.denyLeave, Org.sandboxAccount)).at(-1)).toMatchObject({ desired: true, reason: DesiredReason.SEEN_ATTACHED });
    expect(result.errors).toEqual([expect.stringMatching(/^the sweep stopped at its deadline after the pairs: .*SweepDeadlinePassed/)]);
    local.organizationsEndpoint?.faults.clearScripts();
    expect((await incidentOf(local, result.incidents[0], { closed: true })).outcome).toBe(Outcome.REATTACHED);
    expect(local.organization?.isAttached(Org.denyLeave, Org.root)).toBe(true);
  });

  it('has no more Organizations calls in flight than its concurrency, in the account walk too', async () => {
    const local = await start();
    const client = new OrganizationsClient({ ...SWEEP_ORGANIZATIONS_CLIENT_OPTIONS, endpoint: local.organizationsUrl, credentials: LOCAL_CREDENTIALS });
    let inFlight = 0;
    let most = 0;
    const byOperation = new Map<string, number>();
    client.middlewareStack.add(
      (next, context) => async (args) => {
        inFlight++;
        most = Math.max(most, inFlight);
        byOperation.set(String(context.commandName), Math.max(byOperation.get(String(context.commandName)) ?? 0, inFlight));
        try {
          // Slow enough that every call the sweep has started is still in flight when the next one starts.
          await new Promise((resolve) => setTimeout(resolve, 40));
          return await next(args);
        } finally {
          inFlight--;
        }
      },
      { step: 'initialize', name: 'countInFlight' },
    );
    try {
      const result = await sweepNow(local, { organizations: client, concurrency: 2 });

      expect(result.errors).toEqual([]);
      expect(result.calls.byOperation.ListChildren).toBeGreaterThan(4);
      expect(byOperation.get('ListChildrenCommand')).toBe(2);
      expect(most).toBe(2);
    } finally {
      client.destroy();
    }
  });
});

async function waitForStatus(env: LocalEnvironment, incidentId: string, status: IncidentStatus): Promise<void> {
  const until = Date.now() + 30_000;
  while ((await env.audit.getIncident(incidentId))?.status !== status) {
    if (Date.now() > until) throw new Error(`${incidentId} never reached ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
