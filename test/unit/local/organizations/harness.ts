import { join } from 'node:path';
import { OrganizationsClient, OrganizationsServiceException } from '@aws-sdk/client-organizations';
import { organizationsClientOptions } from '../../../../functions/shared/clients/organizations';
import { LocalOrganizationsEndpoint, type LocalOrganizationsEndpointOptions } from '../../../../local/stand-ins/organizations/endpoint';
import { LocalOrganization } from '../../../../local/stand-ins/organizations/organization-state';
import { FIXTURES } from '../../../support/paths';

/** The fixture most suites start from: a root, Prod and Sandbox OUs, three accounts. */
export const FIXTURE = join(FIXTURES, 'organizations/prod-and-sandbox-org.json');

export const ROOT = 'r-ab12';
export const PROD_OU = 'ou-ab12-11111111';
export const SANDBOX_OU = 'ou-ab12-22222222';
export const MANAGEMENT_ACCOUNT = '111111111111';
export const PROD_ACCOUNT = '222222222222';
export const SANDBOX_ACCOUNT = '333333333333';
export const FULL_ACCESS = 'p-FullAWSAccess';
export const DENY_LEAVE = 'p-12345678';
export const UNATTACHED_SCP = 'p-unattached1';
export const TAG_POLICY = 'p-tagpolicy1';

/**
 * A started endpoint on the fixture (or on `org`) and a real SDK client pointed at it, configured as the
 * handlers' is (one attempt, the project's timeouts), with the request timeout overridable.
 */
export interface Harness {
  readonly org: LocalOrganization;
  readonly endpoint: LocalOrganizationsEndpoint;
  readonly client: OrganizationsClient;
  stop(): Promise<void>;
}

export async function startHarness(
  options: LocalOrganizationsEndpointOptions = {},
  clientOptions: { requestTimeoutMs?: number } = {},
  org: LocalOrganization = LocalOrganization.fromFile(FIXTURE),
): Promise<Harness> {
  const endpoint = new LocalOrganizationsEndpoint(org, options);
  const { url } = await endpoint.start();
  const client = new OrganizationsClient({
    ...organizationsClientOptions(clientOptions.requestTimeoutMs),
    endpoint: url,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return {
    org,
    endpoint,
    client,
    async stop() {
      client.destroy();
      await endpoint.stop();
    },
  };
}

/** The SDK error a call failed with; fails the test when the call succeeds or fails otherwise. */
export async function sdkErrorOf(call: Promise<unknown>): Promise<OrganizationsServiceException> {
  try {
    await call;
  } catch (error) {
    if (error instanceof OrganizationsServiceException) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

/** Resolves once `condition` holds, polling; fails at the deadline, naming what was awaited. */
export async function waitUntil(condition: () => boolean, what: string, deadlineMs = 5_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${deadlineMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
