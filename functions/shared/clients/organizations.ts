import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { CLIENT_TIMEOUTS, clientTimeoutOptions, SWEEP_CLIENT_TIMEOUTS } from './timeouts';

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

/**
 * The sweep's Organizations client options: unlike the workflow's, the SDK retries (the sweep
 * has no state machine around it) in adaptive mode, whose client-side rate limiter slows the
 * whole sweep down when Organizations throttles it, with the attempts of timeouts.ts.
 */
export const SWEEP_ORGANIZATIONS_CLIENT_OPTIONS = {
  region: ORGANIZATIONS_REGION,
  ...clientTimeoutOptions(SWEEP_CLIENT_TIMEOUTS.organizations),
  retryMode: 'adaptive',
} as const;

let sweepOrganizations: OrganizationsClient | undefined;
/** The sweep function's Organizations client, created once per container. */
export const sweepOrganizationsClient = () => (sweepOrganizations ??= new OrganizationsClient(SWEEP_ORGANIZATIONS_CLIENT_OPTIONS));
