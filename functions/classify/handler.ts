import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import { CANARY_ROLE_ARN_ENV } from '../shared/canary';
import type { Incident } from '../shared/incident';
import { lambdaLog, type Log } from '../shared/log';
import type { ProtectionRules } from '../shared/rules/protection-rules';
import { retryPacing } from '../shared/remediation-deadline';
import { lambdaHandler } from '../shared/lambda-handler';
import { requireEnv, rulesFromEnvironment } from '../shared/runtime';
import { isSelfTestEvent, markSelfTest } from '../shared/self-test';
import { defaultOrganizationsClient } from '../shared/clients/organizations';
import { isDriftEvent } from '../shared/drift';
import { completeClassification, lookupsFor, preclassify, type ClassifyInput, type Enrichment, type PendingIncident } from './classify';
import { driftReason, preclassifyDrift } from './drift';
import { Kind, Mode, Source, Verdict } from '../shared/vocabulary';
import { AuditStore } from '../shared/audit/audit-store';
import { claimDocumentClient } from '../shared/clients/dynamodb';
import type { Admission } from '../admit/admit';
import { defaultAdmitHandler, type AdmitEvent } from '../admit/handler';
import { DEFAULT_ENRICHMENT_TIMEOUT_MS, DEFAULT_LOOKUP_TIMEOUT_MS, enrich, lostAttachments, policyTargets } from './enrich';

/**
 * The environment variable that names the guard's own roles (comma-separated IAM role ARNs): a
 * call made by one of them is the guard's own restoration and never starts a remediation.
 */
export const GUARD_ROLE_ARNS_ENV = 'GUARD_ROLE_ARNS';

/** The role ARNs in a comma-separated list (blanks and empty items dropped). */
export const parseGuardRoleArns = (text: string | undefined): string[] =>
  (text ?? '').split(',').map((arn) => arn.trim()).filter((arn) => arn !== '');

export interface ClassifyDependencies {
  rules: ProtectionRules;
  organizations: OrganizationsClient;
  enrichmentTimeoutMs?: number;
  /**
   * The canary function's IAM role ARN: its detachment of the canary pair is the daily canary.
   * Set by the CDK in SCP_GUARDIAN_CANARY_ROLE_ARN; undefined when the rules have no canary.
   */
  canaryRoleArn?: string;
  /**
   * The IAM roles the guard itself acts with (its restorations): their calls are IGNORED_ACTOR,
   * matched exactly on the session's role, and never release a pair from the desired state.
   * The default handler reads them from GUARD_ROLE_ARNS.
   */
  guardRoleArns?: readonly string[];
  /** How long the reads a verdict depends on may take before classify fails (and the rules alone decide). */
  lookupTimeoutMs?: number;
  /**
   * The claim's writes in DynamoDB's attribute-value form (AuditStore.claimTransactItems): the
   * workflow's ClaimIncident task writes them itself, without another function.
   */
  claimItems?: (incident: Incident, executionArn: string) => unknown[];
  /**
   * The admit function's handler (functions/admit): an incident the workflow will reattach at
   * once takes its ticket here, so no other function runs before its AttachPolicy.
   */
  admit?: (input: AdmitEvent) => Promise<Admission>;
  log?: (incidentId: string) => Log;
}

export interface ClassifyOutput {
  incident: Incident;
  /** Set by ClassifyFromRulesAlone: why the first classification failed (the execution fails at the end). */
  classifyError?: ClassifyInput['classifyError'];
  /** What ClaimIncident writes (TransactItems). */
  claim?: { TransactItems: unknown[] };
  /** The ticket on the shared AttachPolicy schedule, for an incident reattached at once. */
  admission?: Admission;
  /** Why no ticket could be taken: the reattachment goes on unadmitted. */
  admissionError?: { Error: string; Cause: string };
}

/**
 * Whether the workflow will reattach this incident without asking anyone (IsProtected →
 * DecideAutomatically → ChooseRestore's reattaching kinds): such an incident takes its admission
 * ticket in classify. A wrong guess costs nothing but a slot, or the AdmitAttachment state.
 */
export function reattachesAtOnce(incident: Incident): boolean {
  if (incident.verdict !== Verdict.PROTECTED || incident.mode === Mode.APPROVAL || incident.selfTest === true || incident.unclassified === true) return false;
  return incident.kind === undefined || incident.kind === Kind.DETACHED || (incident.kind === Kind.DRIFT && incident.driftOf === undefined);
}

/**
 * The claim's items, best effort: an incident whose items cannot be built (a value DynamoDB
 * refuses) is claimed by the claim function instead (IsClaimReady), never left unremediated.
 */
function claimOf(incident: Incident, input: ClassifyInput, deps: ClassifyDependencies): Pick<ClassifyOutput, 'claim'> {
  if (deps.claimItems === undefined) return {};
  try {
    return { claim: { TransactItems: deps.claimItems(incident, input.executionId) } };
  } catch (error) {
    (deps.log ?? lambdaLog)(incident.incidentId).warn('the claim items could not be built: the claim function claims', { error: (error as Error).message });
    return {};
  }
}

/** The claim and, for an incident reattached at once, the admission: what classify adds for the states after it. */
async function forTheNextStates(incident: Incident, input: ClassifyInput, deps: ClassifyDependencies): Promise<Pick<ClassifyOutput, 'claim' | 'admission' | 'admissionError'>> {
  const claim = claimOf(incident, input, deps);
  if (deps.admit === undefined || !reattachesAtOnce(incident)) return claim;
  try {
    return { ...claim, admission: await deps.admit({ phase: 'take', startedAt: input.receivedAt, incident }) };
  } catch (error) {
    (deps.log ?? lambdaLog)(incident.incidentId).warn('no admission ticket: the reattachment goes on unadmitted', { error: (error as Error).name, message: (error as Error).message });
    return { ...claim, admissionError: { Error: (error as Error).name, Cause: (error as Error).message } };
  }
}

/**
 * ClassifyEvent: the EventBridge envelope in, the incident out. Never throws on bad input.
 * ClassifyFromRulesAlone calls it again with `classifyError` after the first attempt failed:
 * then the rules decide on the raw ids, and Organizations is not asked anything.
 */
export function createClassifyHandler(deps: ClassifyDependencies) {
  return async (input: ClassifyInput): Promise<ClassifyOutput> => {
    const drift = isDriftEvent(input.event);
    const first = drift ? preclassifyDrift(input, deps.rules) : preclassify(input, deps.rules, deps.canaryRoleArn, deps.guardRoleArns ?? []);
    const fallback = input.classifyError;
    // What the verdict depends on is read in parallel with the names; a failure of the former
    // throws (the ASL's ClassifyFromRulesAlone follows), of the latter only loses names.
    const enrichment = async (pending: PendingIncident): Promise<Enrichment> => {
      if (fallback !== undefined) return { errors: [`classified from the rules alone: the first classification failed with ${fallback.Error ?? 'an unknown error'}`] };
      const needs = lookupsFor(pending, deps.rules);
      const lookupMs = deps.lookupTimeoutMs ?? DEFAULT_LOOKUP_TIMEOUT_MS;
      const [names, lost, targets] = await Promise.all([
        enrich(deps.organizations, needs.describePolicy, needs.nameTarget, deps.enrichmentTimeoutMs ?? DEFAULT_ENRICHMENT_TIMEOUT_MS),
        needs.lostAttachments === undefined ? undefined : lostAttachments(deps.organizations, needs.lostAttachments, deps.rules.policyTypes, lookupMs),
        needs.policyTargets === undefined ? undefined : policyTargets(deps.organizations, needs.policyTargets, lookupMs),
      ]);
      return { ...names, ...(lost === undefined ? {} : { lostAttachments: lost }), ...(targets === undefined ? {} : { policyTargets: targets }) };
    };
    const completed = 'final' in first ? first.final : completeClassification(first.pending, await enrichment(first.pending), deps.rules);
    const classified = drift && completed.drift !== undefined ? { ...completed, reason: driftReason(completed) } : completed;
    const selfTest = isSelfTestEvent(input.event);
    const sourced: Incident = {
      ...classified,
      // Each round of retries waits at least a minute, longer under a long deadline (the history limit).
      ...(classified.verdict === Verdict.PROTECTED ? retryPacing(deps.rules.remediation.deadlineMinutes) : {}),
      source: selfTest ? Source.SELF_TEST : (classified.source ?? Source.EVENT),
      // Classify names the kind of every readable event, and a drift says its own; this only keeps an older shape readable.
      ...(classified.verdict === Verdict.INVALID || classified.kind !== undefined ? {} : { kind: Kind.DETACHED }),
    };
    const incident = selfTest ? markSelfTest(sourced) : sourced;
    (deps.log ?? lambdaLog)(incident.incidentId).info('classified', {
      verdict: incident.verdict,
      reason: incident.reason,
      mode: incident.mode,
      kind: incident.kind,
      policyId: incident.policy.id,
      targetId: incident.target.id,
      actor: incident.actor.principalArn,
      selfTest: incident.selfTest,
      source: incident.source,
      classifyError: fallback?.Error,
    });
    const next = await forTheNextStates(incident, input, deps);
    return fallback === undefined ? { incident, ...next } : { incident, classifyError: fallback, ...next };
  };
}

export const handler = lambdaHandler(() => {
  const rules = rulesFromEnvironment();
  const audit = new AuditStore(claimDocumentClient(), requireEnv('TABLE_NAME'));
  return createClassifyHandler({
    rules,
    organizations: defaultOrganizationsClient(),
    canaryRoleArn: process.env[CANARY_ROLE_ARN_ENV] || undefined,
    guardRoleArns: parseGuardRoleArns(process.env[GUARD_ROLE_ARNS_ENV]),
    claimItems: (incident, executionArn) => audit.claimTransactItems(incident, executionArn),
    admit: defaultAdmitHandler(rules),
  });
});
