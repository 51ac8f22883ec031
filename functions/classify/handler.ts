import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { Incident } from '../shared/incident';
import { lambdaLog, type Log } from '../shared/log';
import type { ProtectionRules } from '../shared/rules/schema';
import { once, rulesFromEnvironment } from '../shared/runtime';
import { isSelfTestEvent, markSelfTest } from '../shared/self-test';
import { defaultOrganizationsClient } from '../shared/clients/organizations';
import { completeClassification, preclassify, type ClassifyInput } from './classify';
import { DEFAULT_ENRICHMENT_TIMEOUT_MS, enrich } from './enrich';

export interface ClassifyDependencies {
  rules: ProtectionRules;
  organizations: OrganizationsClient;
  enrichmentTimeoutMs?: number;
  log?: (incidentId: string) => Log;
}

/** ClassifyEvent: the EventBridge envelope in, the incident out. Never throws on bad input. */
export function createClassifyHandler(deps: ClassifyDependencies) {
  return async (input: ClassifyInput): Promise<{ incident: Incident }> => {
    const first = preclassify(input, deps.rules);
    const classified =
      'final' in first
        ? first.final
        : completeClassification(
            first.pending,
            await enrich(deps.organizations, first.pending.policy.id, first.pending.target, deps.enrichmentTimeoutMs ?? DEFAULT_ENRICHMENT_TIMEOUT_MS),
            deps.rules,
          );
    const incident = isSelfTestEvent(input.event) ? markSelfTest(classified) : classified;
    (deps.log ?? lambdaLog)(incident.incidentId).info('classified', {
      verdict: incident.verdict,
      reason: incident.reason,
      mode: incident.mode,
      policyId: incident.policy.id,
      targetId: incident.target.id,
      actor: incident.actor.principalArn,
      selfTest: incident.selfTest,
    });
    return { incident };
  };
}

const defaultHandler = once(() => createClassifyHandler({ rules: rulesFromEnvironment(), organizations: defaultOrganizationsClient() }));
export const handler = (input: ClassifyInput) => defaultHandler()(input);
