import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { ORGANIZATIONS_REGION } from './organizations';
import { clientTimeoutOptions, SWEEP_CLIENT_TIMEOUTS } from './timeouts';

/**
 * The sweep's CloudTrail client (LookupEvents). Organizations is a global service whose events
 * CloudTrail records in us-east-1, so the event history is asked there; adaptive retries with
 * the attempts of timeouts.ts, since LookupEvents allows two requests per second.
 */
export const CLOUDTRAIL_CLIENT_OPTIONS = {
  region: ORGANIZATIONS_REGION,
  ...clientTimeoutOptions(SWEEP_CLIENT_TIMEOUTS.cloudtrail),
  retryMode: 'adaptive',
} as const;

let cloudTrail: CloudTrailClient | undefined;
/** The sweep function's CloudTrail client, created once per container. */
export const defaultCloudTrailClient = () => (cloudTrail ??= new CloudTrailClient(CLOUDTRAIL_CLIENT_OPTIONS));
