import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { completeClassification, preclassify, type Enrichment } from '../../../functions/classify/classify';
import type { Incident } from '../../../functions/shared/incident';
import { parseProtectionRules } from '../../../config/load';
import type { ProtectionRules } from '../../../functions/shared/rules/protection-rules';
import { CLASSIFY_INPUT } from './classify-support';
import { PROJECT_ROOT } from '../../../cli/project-root';

type Json = Record<string, unknown>;
export type Envelope = Json & { detail: Json };

const SAMPLES = join(PROJECT_ROOT, 'samples');

/** Ids of samples/organization.json and samples/protection-rules.json. */
export const SampleIds = {
  root: 'r-a1b2',
  prodOu: 'ou-a1b2-7hq4vz2n',
  sandboxOu: 'ou-a1b2-m5t8wd6c',
  regulatedOu: 'ou-a1b2-r8n2qv4j',
  prodAccount: '333344445555',
  denyLeave: 'p-denyleave1',
  denyRegion: 'p-denyregion',
  protectCloudTrail: 'p-protectct',
  fullAwsAccess: 'p-FullAWSAccess',
  pipelineRole: 'arn:aws:iam::111122223333:role/OrgPipelineRole',
} as const;

/** The guard's own restoring role, as the tests name it. */
export const GUARD_ROLE = 'arn:aws:iam::111122223333:role/ScpGuardian-ReattachRole1A2B3C4D-EXAMPLE';

/** The sample events of the kinds other than DetachPolicy, one per kind. */
export const SampleEvent = {
  moved: '10-account-moved-out-of-prod.json',
  changed: '11-policy-changed-deny-to-allow.json',
  detached: '12-pipeline-retires-denyleave-from-root.json',
  deleted: '13-policy-deleted-after-detach.json',
  forbidden: '14-forbidden-fullawsaccess-on-allowlist-ou.json',
  disabled: '15-scps-disabled-on-root.json',
} as const;

/** A sample event from samples/events, as EventBridge delivers it. */
export const sampleEvent = (name: string): Envelope => JSON.parse(readFileSync(join(SAMPLES, 'events', name), 'utf8')) as Envelope;

/** The sample rules, changed by `overrides` (top-level keys replaced). */
export function sampleRules(overrides: Json = {}): ProtectionRules {
  const rules = JSON.parse(readFileSync(join(SAMPLES, 'protection-rules.json'), 'utf8')) as Json;
  return parseProtectionRules({ ...rules, ...overrides });
}

/** The event with `detail` fields replaced. */
export const withDetail = (event: Envelope, fields: Json): Envelope => ({ ...event, detail: { ...event.detail, ...fields } });

/** The event with `requestParameters` fields replaced (undefined drops one). */
export function withRequest(event: Envelope, fields: Json): Envelope {
  const request = { ...(event.detail.requestParameters as Json), ...fields };
  for (const [key, value] of Object.entries(fields)) if (value === undefined) delete request[key];
  return withDetail(event, { requestParameters: request });
}

/** The event as made by a session of `roleArn`. */
export function asRole(event: Envelope, roleArn: string, session = 'session-1'): Envelope {
  const [, , , , account, resource] = roleArn.split(':');
  const roleName = resource.split('/').pop() as string;
  return withDetail(event, {
    userIdentity: {
      type: 'AssumedRole',
      principalId: `AROAEXAMPLE00000009:${session}`,
      arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${session}`,
      accountId: account,
      sessionContext: {
        sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLE00000009', arn: roleArn, accountId: account, userName: roleName },
        attributes: { creationDate: '2026-11-20T09:50:00Z', mfaAuthenticated: 'false' },
      },
    },
  });
}

/** What Organizations says about an SCP that exists. */
export const scpNamed = (name: string, extra: Partial<Enrichment> = {}): Enrichment => ({ policy: { name, type: 'SERVICE_CONTROL_POLICY' }, target: { name: 'SomeTarget' }, errors: [], ...extra });

/** The pure classification, as the handler runs it, with a given Organizations answer. */
export function classifyKind(event: unknown, rules: ProtectionRules = sampleRules(), enrichment: Enrichment = { errors: [] }, guardRoleArns: string[] = [GUARD_ROLE]): Incident {
  const first = preclassify({ event, ...CLASSIFY_INPUT }, rules, undefined, guardRoleArns);
  return 'final' in first ? first.final : completeClassification(first.pending, enrichment, rules);
}
