import { isObject } from '../shared/cloudtrail';
import { describeError } from '../shared/errors';
import type { Log } from '../shared/log';

/**
 * The sweep right after each deployment: the stack has a custom resource served by the sweep
 * function itself (infra/constructs/sweep.ts), whose properties change with the function's
 * version, so CloudFormation sends it an event on the first deployment and on every one that
 * changes the function, the rules compiled into it included. The handler answers CloudFormation
 * at once, SUCCESS whatever happens next, so a deployment never waits on a sweep nor fails or
 * rolls back because of one; then it sweeps (not on Delete), and a failed sweep raises the
 * alarm like a scheduled one.
 */

/** The fields of a CloudFormation custom resource event the handler reads. */
export interface CustomResourceEvent {
  RequestType: 'Create' | 'Update' | 'Delete';
  ResponseURL: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  PhysicalResourceId?: string;
}

export const isCustomResourceEvent = (event: unknown): event is CustomResourceEvent =>
  isObject(event) && typeof event.RequestType === 'string' && typeof event.ResponseURL === 'string' && typeof event.RequestId === 'string';

const PHYSICAL_ID = 'scp-guardian-sweep-after-deploy';

/**
 * CloudFormation's pre-signed S3 URL: only that is answered, so an event handed to the function
 * by anyone else cannot make it send a request elsewhere.
 */
function isCloudFormationResponseUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && /(^|\.)amazonaws\.com(\.cn)?$/.test(parsed.hostname);
  } catch {
    return false;
  }
}

/** PUTs SUCCESS to the response URL; a failure to answer is logged (CloudFormation then times the resource out). */
export async function answerCloudFormation(event: CustomResourceEvent, log: Log, put: typeof fetch = fetch): Promise<void> {
  if (!isCloudFormationResponseUrl(event.ResponseURL)) {
    log.error('custom resource event with a response URL that is not CloudFormation\'s: not answered', { host: event.ResponseURL.slice(0, 80) });
    return;
  }
  const body = JSON.stringify({
    Status: 'SUCCESS',
    Reason: 'a sweep runs after the deployment: its result is in the sweep function log',
    PhysicalResourceId: event.PhysicalResourceId ?? PHYSICAL_ID,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    Data: {},
  });
  try {
    const response = await put(event.ResponseURL, { method: 'PUT', headers: { 'content-type': '' }, body, signal: AbortSignal.timeout(10_000) });
    if (!response.ok) log.error('CloudFormation did not take the custom resource answer', { status: response.status });
  } catch (error) {
    log.error('could not answer CloudFormation', { error: describeError(error) });
  }
}
