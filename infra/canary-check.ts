import path from 'node:path';
import type { ProtectionRules } from '../functions/shared/rules/protection-rules';
import { PolicyType } from '../functions/shared/vocabulary';
import { loadOrganizationFile, type OrganizationFile } from '../local/stand-ins/organizations/organization-file';

/**
 * The canary's checks at synth time, when the organization is known: a snapshot in the local
 * organization file format (docs/contracts.md, "The local organization") named by a context key. The
 * same checks run in the canary function before every detachment; here they fail `cdk synth`
 * early, naming the rules field. Synth-only: nothing here goes into a Lambda bundle.
 */

/** The context key naming the organization snapshot: `cdk synth -c scp-guardian:organizationFile=org.json`. */
export const ORGANIZATION_FILE_CONTEXT = 'scp-guardian:organizationFile';
/** The id of the canary's warnings on the stack (acknowledge it to silence them under `--strict`). */
export const CANARY_WARNING_ID = 'scp-guardian:canary';

/** The canary does not fit the organization snapshot; `problems` name the rules field. */
export class CanaryCheckError extends Error {
  constructor(readonly organizationFile: string, readonly problems: string[]) {
    super(`the canary in the protection rules does not fit the organization in ${organizationFile}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'CanaryCheckError';
  }
}

const MAX_NAMED = 5;

/** Every account under the OU, at any depth, with the OU that holds it. */
function accountsUnder(org: OrganizationFile, ouId: string): { id: string; parentId: string }[] {
  const ous = new Set([ouId]);
  // OUs are listed in any order: grow the set until no OU is added.
  for (let grew = true; grew; ) {
    grew = false;
    for (const ou of org.organizationalUnits) {
      if (ous.has(ou.parentId) && !ous.has(ou.id)) {
        ous.add(ou.id);
        grew = true;
      }
    }
  }
  return org.accounts.filter((account) => ous.has(account.parentId)).map(({ id, parentId }) => ({ id, parentId }));
}

/** What is wrong with the canary in this organization; empty when it fits. */
export function canaryProblems(rules: Pick<ProtectionRules, 'canary' | 'policyTypes'>, org: OrganizationFile): string[] {
  const { canary } = rules;
  if (canary === undefined) return [];
  const problems: string[] = [];
  const ou = org.organizationalUnits.find((candidate) => candidate.id === canary.targetId);
  if (ou === undefined) {
    problems.push(`canary.targetId: no OU ${canary.targetId} in the organization; create an empty OU for the canary`);
  } else {
    const accounts = accountsUnder(org, ou.id);
    if (accounts.length > 0) {
      const named = accounts.slice(0, MAX_NAMED).map((a) => (a.parentId === ou.id ? a.id : `${a.id} in ${a.parentId}`));
      const more = accounts.length > MAX_NAMED ? ` and ${accounts.length - MAX_NAMED} more` : '';
      problems.push(
        `canary.targetId: OU ${ou.id} (${ou.name}) holds ${accounts.length} account${accounts.length > 1 ? 's' : ''}: ${named.join(', ')}${more}; ` +
          `the canary detaches ${canary.policyId} from it every day, so it must hold no account at any depth`,
      );
    }
  }
  const policy = org.policies.find((candidate) => candidate.id === canary.policyId);
  if (policy === undefined) {
    problems.push(`canary.policyId: no policy ${canary.policyId} in the organization; create an SCP for the canary and attach it to ${canary.targetId}`);
    return problems;
  }
  if (!(rules.policyTypes as readonly string[]).includes(policy.type)) {
    problems.push(`canary.policyId: ${policy.id} (${policy.name}) is a ${policy.type}, and policyTypes protects only ${rules.policyTypes.join(', ')}`);
  }
  if (policy.awsManaged === true) problems.push(`canary.policyId: ${policy.id} is AWS-managed; the canary needs a policy of your own`);
  if (ou !== undefined && !policy.targets.includes(ou.id)) {
    problems.push(`canary.policyId: ${policy.id} (${policy.name}) is not attached to ${ou.id} (${ou.name}); attach it, the canary detaches it daily and the guard reattaches it`);
  }
  if (ou !== undefined && policy.type === PolicyType.SERVICE_CONTROL_POLICY) {
    const others = org.policies.filter((p) => p.id !== policy.id && p.type === PolicyType.SERVICE_CONTROL_POLICY && p.targets.includes(ou.id));
    if (others.length === 0) {
      problems.push(`canary.targetId: ${policy.id} would be the last SCP on ${ou.id}, which Organizations refuses to detach; attach FullAWSAccess to it too`);
    }
  }
  return problems;
}

/**
 * Checks the rules' canary against the snapshot named in context (throwing CanaryCheckError),
 * or, without one, answers the warning that says the checks run at run time only. Undefined
 * when there is no canary, or it fits.
 */
export function checkCanaryAtSynth(rules: ProtectionRules, organizationFile: string | undefined, projectRoot: string): string | undefined {
  const { canary } = rules;
  if (canary === undefined) return undefined;
  if (organizationFile === undefined || organizationFile === '') {
    return (
      `canary: no organization snapshot given (cdk synth -c ${ORGANIZATION_FILE_CONTEXT}=ORG.json), so whether ${canary.targetId} holds no account ` +
      `and has ${canary.policyId} attached is checked at run time only, by the canary function before each detachment`
    );
  }
  const file = path.resolve(projectRoot, organizationFile);
  const problems = canaryProblems(rules, loadOrganizationFile(file));
  if (problems.length > 0) throw new CanaryCheckError(file, problems);
  return undefined;
}
