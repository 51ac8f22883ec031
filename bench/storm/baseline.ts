import { AttachPolicyCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { ORGANIZATIONS_CLIENT_OPTIONS } from '../../functions/shared/clients/organizations';
import { LOCAL_CREDENTIALS } from '../../local/dynamodb/dynamodb-local';
import { LocalOrganizationsEndpoint } from '../../local/stand-ins/organizations/endpoint';
import { LocalOrganization } from '../../local/stand-ins/organizations/organization-state';
import { DetachmentReplayer } from '../../local/replay';
import { figuresOf, type StormFigures, type StormLimits } from './figures';
import type { StormScenario } from './scenario';

interface DetachRecord {
  detail: { requestParameters: { policyId: string; targetId: string } };
}

/**
 * The seed approach this project grew from, as its write-up describes it: on each detach event,
 * one AttachPolicy attempt, and any error swallowed.
 */
export async function reattachOnceSwallowingErrors(client: OrganizationsClient, event: DetachRecord): Promise<void> {
  const { policyId, targetId } = event.detail.requestParameters;
  try {
    await client.send(new AttachPolicyCommand({ PolicyId: policyId, TargetId: targetId }));
  } catch {
    // The seed approach logged and moved on; that is the behaviour measured here.
  }
}

/** Runs the seed approach against a fresh organization with the storm applied and the same limits. */
export async function runBaseline(scenario: StormScenario, limits: StormLimits): Promise<StormFigures> {
  const organization = new LocalOrganization(scenario.organization);
  const replayer = new DetachmentReplayer(organization);
  for (const event of scenario.events) replayer.apply(event);
  const endpoint = new LocalOrganizationsEndpoint(organization, {
    faults: { rateLimit: { requestsPerSecond: limits.rate }, serviceErrorProbability: limits.serviceErrorProbability, seed: limits.seed },
  });
  const { url } = await endpoint.start();
  const client = new OrganizationsClient({ ...ORGANIZATIONS_CLIENT_OPTIONS, endpoint: url, credentials: LOCAL_CREDENTIALS });
  try {
    const startedAt = Date.now();
    await Promise.all(scenario.events.map((event) => reattachOnceSwallowingErrors(client, event as unknown as DetachRecord)));
    return figuresOf('seed baseline (1 attempt, errors swallowed)', endpoint, scenario.pairs, startedAt, Date.now(), limits.rate);
  } finally {
    client.destroy();
    await endpoint.stop();
  }
}
