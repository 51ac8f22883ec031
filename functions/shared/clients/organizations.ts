import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { CLIENT_TIMEOUTS, clientTimeoutOptions } from './timeouts';

/** Organizations is a global service whose endpoint lives in us-east-1. */
export const ORGANIZATIONS_REGION = 'us-east-1';

/**
 * Retries live in the state machine, where they are visible and bounded; the SDK's own retries
 * would multiply them, so Organizations calls are made once per attempt, and a call nobody
 * answers fails within the request timeout (timeouts.ts) instead of holding the function.
 * `requestTimeoutMs` overrides that timeout (tests that hang a call keep it short).
 */
export function organizationsClientOptions(requestTimeoutMs: number = CLIENT_TIMEOUTS.organizations.requestTimeoutMs) {
  return { region: ORGANIZATIONS_REGION, ...clientTimeoutOptions({ ...CLIENT_TIMEOUTS.organizations, requestTimeoutMs }) };
}

/** The production Organizations client options: region, one attempt, the timeouts. */
export const ORGANIZATIONS_CLIENT_OPTIONS = organizationsClientOptions();

let organizations: OrganizationsClient | undefined;
/** The handler's Organizations client, created once per container. */
export const defaultOrganizationsClient = () => (organizations ??= new OrganizationsClient(ORGANIZATIONS_CLIENT_OPTIONS));
