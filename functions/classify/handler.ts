import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import { CANARY_ROLE_ARN_ENV } from '../shared/canary';
import type { Incident } from '../shared/incident';
import { lambdaLog, type Log } from '../shared/log';
import type { ProtectionRules } from '../shared/rules/schema';
import { once, rulesFromEnvironment } from '../shared/runtime';
import { isSelfTestEvent, markSelfTest } from '../shared/self-test';
import { defaultOrganizationsClient } from '../shared/clients/organizations';
import { isDriftEvent } from '../shared/drift';
import { completeClassification, preclassify, type ClassifyInput } from './classify';
import { driftReason, preclassifyDrift } from './drift';
import { Kind, Source, Verdict } from '../shared/vocabulary';
import { DEFAULT_ENRICHMENT_TIMEOUT_MS, enrich } from './enrich';

export interface ClassifyDependencies {
  rules: ProtectionRules;
  organizations: OrganizationsClient;
  enrichmentTimeoutMs?: number;
  /**
   * The canary function's IAM role ARN: its detachment of the canary pair is the daily canary.
   * Set by the CDK in SCP_GUARDIAN_CANARY_ROLE_ARN; undefined when the rules have no canary.
   */
  canaryRoleArn?: string;
  log?: (incidentId: string) => Log;
}

export interface ClassifyOutput {
  incident: Incident;
  /** Set by ClassifyFromRulesAlone: why the first classification failed (the execution fails at the end). */
  classifyError?: ClassifyInput['classifyError'];
}

/**
 * ClassifyEvent: the EventBridge envelope in, the incident out. Never throws on bad input.
 * ClassifyFromRulesAlone calls it again with `classifyError` after the first attempt failed:
 * then the rules decide on the raw ids, and Organizations is not asked anything.
 */
export function createClassifyHandler(deps: ClassifyDependencies) {
  return async (input: ClassifyInput): Promise<ClassifyOutput> => {
    const drift = isDriftEvent(input.event);
    const first = drift ? preclassifyDrift(input, deps.rules) : preclassify(input, deps.rules, deps.canaryRoleArn);
    const fallback = input.classifyError;
    const enrichment = async (pending: Extract<typeof first, { pending: unknown }>['pending']) =>
      fallback !== undefined
        ? { errors: [`classified from the rules alone: the first classification failed with ${fallback.Error ?? 'an unknown error'}`] }
        : enrich(deps.organizations, pending.policy.id, pending.target, deps.enrichmentTimeoutMs ?? DEFAULT_ENRICHMENT_TIMEOUT_MS);
    const completed = 'final' in first ? first.final : completeClassification(first.pending, await enrichment(first.pending), deps.rules);
    const classified = drift && completed.drift !== undefined ? { ...completed, reason: driftReason(completed) } : completed;
    const selfTest = isSelfTestEvent(input.event);
    const sourced: Incident = {
      ...classified,
      // Each round of retries waits at least a minute: the deadline allows no more rounds than its minutes.
      ...(classified.verdict === Verdict.PROTECTED ? { retryRoundLimit: deps.rules.remediation.deadlineMinutes } : {}),
      source: selfTest ? Source.SELF_TEST : (classified.source ?? Source.EVENT),
      // A readable event is a DetachPolicy (the other kinds come with the other doors); a drift says its kind.
      ...(classified.verdict === Verdict.INVALID || classified.kind !== undefined ? {} : { kind: Kind.DETACHED }),
    };
    const incident = selfTest ? markSelfTest(sourced) : sourced;
    (deps.log ?? lambdaLog)(incident.incidentId).info('classified', {
      verdict: incident.verdict,
      reason: incident.reason,
      mode: incident.mode,
      policyId: incident.policy.id,
      targetId: incident.target.id,
      actor: incident.actor.principalArn,
      selfTest: incident.selfTest,
      source: incident.source,
      classifyError: fallback?.Error,
    });
    return fallback === undefined ? { incident } : { incident, classifyError: fallback };
  };
}

const defaultHandler = once(() =>
  createClassifyHandler({ rules: rulesFromEnvironment(), organizations: defaultOrganizationsClient(), canaryRoleArn: process.env[CANARY_ROLE_ARN_ENV] || undefined }),
);
export const handler = (input: ClassifyInput) => defaultHandler()(input);
