import { ATTACH_STATES } from '../../local/workflow/local-workflow';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IncidentStatus } from '../../functions/shared/vocabulary';
import type { LocalEnvironment } from '../../local/environment';
import { LOCAL_GUARD_ROLE_ARN } from '../../local/workflow/guard-role';
import { PROJECT_ROOT } from '../../cli/project-root';

/** A real-format CloudTrail record from samples/events, in its EventBridge envelope. */
export type Envelope = { id: string; detail: Record<string, any> };

export const sample = (name: string): Envelope => JSON.parse(readFileSync(join(PROJECT_ROOT, 'samples', 'events', name), 'utf8')) as Envelope;

/** A sample record with event ids of its own (and a fresh event time), its request parameters changed as given. */
export function sampleEvent(name: string, requestParameters?: Record<string, unknown>, eventId: string = randomUUID()): Envelope {
  const event = sample(name);
  event.id = randomUUID();
  event.detail.eventID = eventId;
  event.detail.eventTime = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (requestParameters !== undefined) event.detail.requestParameters = requestParameters;
  return event;
}

/** The same record, redelivered: the same eventID, a new EventBridge id. */
export function redelivery(event: Envelope): Envelope {
  const copy = JSON.parse(JSON.stringify(event)) as Envelope;
  copy.id = randomUUID();
  return copy;
}

/**
 * The CloudTrail record the guard's own restoration produces: the call made as the local guard
 * role (an assumed-role session of LOCAL_GUARD_ROLE_ARN), a fresh eventID.
 */
export function guardEvent(eventName: string, requestParameters: Record<string, unknown>): Envelope {
  const event = sampleEvent('14-forbidden-fullawsaccess-on-allowlist-ou.json', requestParameters);
  const account = LOCAL_GUARD_ROLE_ARN.split(':')[4];
  event.detail.eventName = eventName;
  event.detail.userAgent = 'aws-sdk-js/3 ua/2.1 os/linux lang/js md/nodejs#20 api/organizations#3 exec-env/AWS_Lambda_nodejs20.x';
  event.detail.userIdentity = {
    type: 'AssumedRole',
    principalId: 'AROAGUARDEXAMPLE0001:scp-guardian-restore',
    arn: `arn:aws:sts::${account}:assumed-role/scp-guardian-restore/scp-guardian-restore`,
    accountId: account,
    accessKeyId: 'ASIAGUARDEXAMPLE0001',
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: 'AROAGUARDEXAMPLE0001', arn: LOCAL_GUARD_ROLE_ARN, accountId: account, userName: 'scp-guardian-restore' },
      webIdFederationData: {},
      attributes: { creationDate: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), mfaAuthenticated: 'false' },
    },
  };
  return event;
}

/** The whole desired state as `audit desired` reads it: every latest pair entry, content, parent and root entry. */
export async function desiredSnapshot(env: LocalEnvironment) {
  const [policies, pairs, contents, parents, roots] = await Promise.all([
    env.desired.policies(),
    env.desired.pairs(),
    env.desired.contents(),
    env.desired.parents(),
    env.desired.rootTypes(),
  ]);
  const sorted = <T>(map: Map<string, T>) => [...map.entries()].sort(([a], [b]) => a.localeCompare(b));
  return { policies: [...policies].sort(), pairs: sorted(pairs), contents: sorted(contents), parents: sorted(parents), roots: sorted(roots) };
}

/** Waits until the incident is recorded with the status. */
export async function waitForStatus(env: LocalEnvironment, incidentId: string, status: IncidentStatus, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while ((await env.trueAudit.getIncident(incidentId))?.status !== status) {
    if (Date.now() > until) throw new Error(`incident ${incidentId} never reached ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The actions the closing step of the timeline names. */
export async function closedActions(env: LocalEnvironment, incidentId: string): Promise<Record<string, unknown>[]> {
  const closed = (await env.trueAudit.getTimeline(incidentId)).find((entry) => entry.step === 'closed');
  return (closed?.detail.actions ?? []) as Record<string, unknown>[];
}

/** The states that write to the organization to restore a protection: RestoreProtection and every AttachPolicy state. */
export const RESTORING_STATES = ['RestoreProtection', ...ATTACH_STATES];
