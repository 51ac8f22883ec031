import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/app';
import { CanaryCheckError, ORGANIZATION_FILE_CONTEXT } from '../../infra/canary-check';
import type { OrganizationFile } from '../../local/stand-ins/organizations/organization-file';
import { cdkJson, NO_BUNDLING, withRulesFile } from './support';
import { PROJECT_ROOT } from '../../cli/project-root';

const CANARY_RULES = path.join(PROJECT_ROOT, 'samples/canary/protection-rules.json');
const CANARY_ORG = path.join(PROJECT_ROOT, 'samples/canary/organization.json');
const CANARY_OU = 'ou-a1b2-canary01';

const context = (extra: Record<string, unknown> = {}) => ({ ...cdkJson().context, ...NO_BUNDLING, ...withRulesFile(CANARY_RULES), ...extra });

/** A temporary organization file: the canary sample's, changed by `edit`. */
function orgFile(edit: (org: OrganizationFile) => void): string {
  const org = JSON.parse(readFileSync(CANARY_ORG, 'utf8')) as OrganizationFile;
  edit(org);
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'scp-guardian-org-')), 'org.json');
  writeFileSync(file, JSON.stringify(org, null, 2));
  return file;
}

function refusal(organizationFile: string): CanaryCheckError {
  try {
    buildApp({ context: context({ [ORGANIZATION_FILE_CONTEXT]: organizationFile }), env: {} });
  } catch (error) {
    if (error instanceof CanaryCheckError) return error;
    throw error;
  }
  throw new Error('expected synth to refuse the canary');
}

describe('synth: the canary against the organization snapshot', () => {
  it('synthesizes when the canary OU is empty and holds the canary policy, with no warning', () => {
    const { stack } = buildApp({ context: context({ [ORGANIZATION_FILE_CONTEXT]: 'samples/canary/organization.json' }), env: {} });

    expect(stack.canary).toBeDefined();
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('canary'))).toEqual([]);
  });

  it('refuses a canary OU with an account two levels down, naming the rules field, the OU and the account', () => {
    const file = orgFile((org) => {
      org.organizationalUnits.push({ id: 'ou-a1b2-canchild', name: 'Child', parentId: CANARY_OU }, { id: 'ou-a1b2-cangrand', name: 'Grandchild', parentId: 'ou-a1b2-canchild' });
      org.accounts.push({ id: '555566667777', name: 'stray', parentId: 'ou-a1b2-cangrand' });
    });

    const error = refusal(file);

    expect(error.problems).toEqual([
      'canary.targetId: OU ou-a1b2-canary01 (ScpGuardianCanary) holds 1 account: 555566667777 in ou-a1b2-cangrand; the canary detaches p-canary01 from it every day, so it must hold no account at any depth',
    ]);
    expect(error.message).toContain(`does not fit the organization in ${file}`);
  });

  it('refuses a canary OU that is not in the organization', () => {
    const file = orgFile((org) => {
      org.organizationalUnits = org.organizationalUnits.filter((ou) => ou.id !== CANARY_OU);
      for (const policy of org.policies) policy.targets = policy.targets.filter((target) => target !== CANARY_OU);
    });

    const error = refusal(file);

    expect(error.problems).toEqual(expect.arrayContaining([expect.stringMatching(/^canary\.targetId: no OU ou-a1b2-canary01 in the organization/)]));
  });

  it('refuses a canary policy that is not attached to the canary OU', () => {
    const file = orgFile((org) => {
      const canary = org.policies.find((policy) => policy.id === 'p-canary01');
      if (canary !== undefined) canary.targets = [];
    });

    const error = refusal(file);

    expect(error.problems).toEqual([expect.stringMatching(/^canary\.policyId: p-canary01 \(ScpGuardianCanary\) is not attached to ou-a1b2-canary01/)]);
  });

  it('refuses a canary policy of a type the rules do not protect', () => {
    const file = orgFile((org) => {
      const canary = org.policies.find((policy) => policy.id === 'p-canary01');
      if (canary !== undefined) canary.type = 'TAG_POLICY';
    });

    const error = refusal(file);

    expect(error.problems).toEqual([expect.stringMatching(/^canary\.policyId: p-canary01 \(ScpGuardianCanary\) is a TAG_POLICY, and policyTypes protects only SERVICE_CONTROL_POLICY/)]);
  });

  it('refuses a canary SCP that would be the last SCP on its OU', () => {
    const file = orgFile((org) => {
      const full = org.policies.find((policy) => policy.id === 'p-FullAWSAccess');
      if (full !== undefined) full.targets = full.targets.filter((target) => target !== CANARY_OU);
    });

    const error = refusal(file);

    expect(error.problems).toEqual([expect.stringMatching(/^canary\.targetId: p-canary01 would be the last SCP on ou-a1b2-canary01/)]);
  });

  it('without a snapshot, synthesizes and warns that the checks run at run time only', () => {
    const { stack } = buildApp({ context: context(), env: {} });

    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('no organization snapshot given'));

    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings[0].entry.data)).toMatch(/checked at run time only, by the canary function before each detachment/);
  });

  it('makes `cdk synth` exit non-zero with the field named and no stack trace', () => {
    const file = orgFile((org) => {
      org.accounts.push({ id: '555566667777', name: 'stray', parentId: CANARY_OU });
    });

    const result = spawnSync('npx', ['tsx', 'infra/app.ts'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ ...withRulesFile(CANARY_RULES), [ORGANIZATION_FILE_CONTEXT]: file }), CDK_DEFAULT_REGION: 'us-east-1' },
      timeout: 60_000,
    });

    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/canary\.targetId: OU ou-a1b2-canary01 \(ScpGuardianCanary\) holds 1 account: 555566667777; /);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
