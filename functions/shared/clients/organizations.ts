import { OrganizationsClient } from '@aws-sdk/client-organizations';

/** Organizations is a global service whose endpoint lives in us-east-1. */
export const ORGANIZATIONS_REGION = 'us-east-1';

/**
 * Retries live in the state machine, where they are visible and bounded; the SDK's own retries
 * would multiply them, so Organizations calls are made once per attempt.
 */
export const ORGANIZATIONS_CLIENT_OPTIONS = { region: ORGANIZATIONS_REGION, maxAttempts: 1 } as const;

let organizations: OrganizationsClient | undefined;
/** The handler's Organizations client, created once per container. */
export const defaultOrganizationsClient = () => (organizations ??= new OrganizationsClient(ORGANIZATIONS_CLIENT_OPTIONS));
