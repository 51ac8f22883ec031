import { DescribePolicyCommand, OrganizationsClient, type DescribePolicyCommandOutput } from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { createClassifyHandler } from '../../../functions/classify/handler';
import { silentLog } from '../../../functions/shared/log';
import { ORGANIZATIONS_CLIENT_OPTIONS } from '../../../functions/shared/clients/organizations';
import { Verdict } from '../../../functions/shared/vocabulary';
import { LocalOrganizationsEndpoint } from '../../../local/stand-ins/organizations/endpoint';
import { LocalOrganization } from '../../../local/stand-ins/organizations/organization-state';
import { CLASSIFY_INPUT, classifyRules, Ids } from './classify-support';
import { fixtureEnvelope } from './fixtures';
import { PROJECT_ROOT } from '../../../cli/project-root';

const SAMPLE_ORGANIZATION = join(PROJECT_ROOT, 'samples/organization.json');
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const organizationsAt = (endpoint: string) => new OrganizationsClient({ ...ORGANIZATIONS_CLIENT_OPTIONS, endpoint, credentials });

/** Resolves with `value` after `ms`, to race a call against a deadline without asserting on time. */
const deadline = <T>(ms: number, value: T) =>
  new Promise<T>((resolve) => {
    const timer = setTimeout(() => resolve(value), ms);
    timer.unref();
  });

describe('classify enrichment: names from Organizations', () => {
  let endpoint: LocalOrganizationsEndpoint;
  let classify: ReturnType<typeof createClassifyHandler>;

  beforeAll(async () => {
    endpoint = new LocalOrganizationsEndpoint(LocalOrganization.fromFile(SAMPLE_ORGANIZATION));
    const { url } = await endpoint.start();
    classify = createClassifyHandler({ rules: classifyRules(), organizations: organizationsAt(url), log: () => silentLog });
  });
  afterAll(() => endpoint.stop());

  it('names the policy, its type and the OU it was detached from', async () => {
    const event = fixtureEnvelope('detachpolicy-assumed-role-from-ou.json');

    const { incident } = await classify({ event, ...CLASSIFY_INPUT });

    expect(incident.policy).toEqual({ id: Ids.protectCloudTrail, name: 'ProtectCloudTrail', type: 'SERVICE_CONTROL_POLICY' });
    expect(incident.target).toEqual({ id: Ids.sandboxOu, type: 'ORGANIZATIONAL_UNIT', name: 'Sandbox' });
    expect(incident.enrichmentErrors).toBeUndefined();
  });

  it('names the account a policy was detached from', async () => {
    const event = fixtureEnvelope('detachpolicy-identity-center-console-from-account.json');

    const { incident } = await classify({ event, ...CLASSIFY_INPUT });

    expect(incident.target).toEqual({ id: Ids.sandboxAccount, type: 'ACCOUNT', name: 'sandbox-dev' });
  });

  it('calls a tag policy NOT_SCP from the type Organizations gives', async () => {
    const event = fixtureEnvelope('detachpolicy-tag-policy-from-root.json');

    const { incident } = await classify({ event, ...CLASSIFY_INPUT });

    expect(incident).toMatchObject({ verdict: Verdict.NOT_SCP, policy: { type: 'TAG_POLICY', name: 'CostCenterTags' }, target: { type: 'ROOT', name: 'Root' } });
  });

  it('still protects a policy Organizations no longer knows, and records why its name is missing', async () => {
    const event = fixtureEnvelope('detachpolicy-federated-user-from-ou.json');
    endpoint.organization.deletePolicy(Ids.denyRegion);

    const { incident } = await classify({ event, ...CLASSIFY_INPUT });

    expect(incident).toMatchObject({ verdict: Verdict.PROTECTED, mode: 'auto', policy: { id: Ids.denyRegion } });
    expect(incident.enrichmentErrors).toEqual([expect.stringMatching(/^DescribePolicy p-denyregion: PolicyNotFoundException/)]);
  });
});

describe('classify enrichment: an Organizations endpoint that never answers', () => {
  let server: Server;
  const sockets = new Set<Socket>();
  let url: string;

  beforeAll(async () => {
    // Accepts every request and never answers it.
    server = createServer(() => {});
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('classifies within its deadline without names, saying Organizations did not answer', async () => {
    const classify = createClassifyHandler({ rules: classifyRules(), organizations: organizationsAt(url), log: () => silentLog });
    const event = fixtureEnvelope('detachpolicy-iam-user-cli-from-root.json');

    // The enrichment limit is 1.5 s; the deadline leaves room for a slow CI machine.
    const result = await Promise.race([classify({ event, ...CLASSIFY_INPUT }), deadline(10_000, 'deadline passed' as const)]);

    expect(result).not.toBe('deadline passed');
    const { incident } = result as Exclude<typeof result, string>;
    expect(incident).toMatchObject({ verdict: Verdict.PROTECTED, mode: 'auto', policy: { id: Ids.denyLeave } });
    expect(incident.enrichmentErrors).toEqual([`DescribePolicy ${Ids.denyLeave}: no answer within 1500 ms`]);
  });
});

describe('classify enrichment: answers that are not what the SDK types promise', () => {
  it('classifies from the rules when DescribePolicy resolves with nothing at all', async () => {
    const client = new OrganizationsClient({ ...ORGANIZATIONS_CLIENT_OPTIONS, credentials });
    mockClient(client).on(DescribePolicyCommand).resolves(null as unknown as DescribePolicyCommandOutput);
    const classify = createClassifyHandler({ rules: classifyRules(), organizations: client, log: () => silentLog });
    const event = fixtureEnvelope('detachpolicy-iam-user-cli-from-root.json');

    const { incident } = await classify({ event, ...CLASSIFY_INPUT });

    expect(incident).toMatchObject({ verdict: Verdict.PROTECTED, policy: { id: Ids.denyLeave } });
    expect(incident.policy.type).toBeUndefined();
  });
});
