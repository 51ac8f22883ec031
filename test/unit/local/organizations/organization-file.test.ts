import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidOrganizationError, loadOrganizationFile, parseOrganization } from '../../../../local/stand-ins/organizations/organization-file';
import { LocalOrganization } from '../../../../local/stand-ins/organizations/organization-state';
import { FIXTURE } from './harness';
import { PROJECT_ROOT } from '../../../../cli/project-root';

const SAMPLE = join(PROJECT_ROOT, 'samples/organization.json');
const REGULATED_OU = 'ou-a1b2-r8n2qv4j';

/** A fresh copy of the fixture to break one field of. */
function fixture(): { accounts: Record<string, unknown>[]; organizationalUnits: Record<string, unknown>[]; policies: Record<string, unknown>[] } & Record<string, unknown> {
  return JSON.parse(readFileSync(FIXTURE, 'utf8')) as ReturnType<typeof fixture>;
}

function problemsOf(json: unknown): string[] {
  try {
    parseOrganization(json);
  } catch (error) {
    if (error instanceof InvalidOrganizationError) return error.problems;
    throw error;
  }
  throw new Error('expected the organization to be refused');
}

describe('loadOrganizationFile', () => {
  it('loads the sample organization, FullAWSAccess on the root and every OU and account but the allow-list OU', () => {
    const org = loadOrganizationFile(SAMPLE);

    const everyTarget = [org.rootId, ...org.organizationalUnits.map((ou) => ou.id), ...org.accounts.map((a) => a.id)];
    expect(org.policies.find((p) => p.id === 'p-FullAWSAccess')?.targets.sort()).toEqual(everyTarget.filter((id) => id !== REGULATED_OU).sort());
    expect(org.policies.find((p) => p.id === 'p-allowlist1')?.targets).toEqual([REGULATED_OU]);
  });

  it('loads the sample organization with at least one and at most ten SCPs on every target, as the API keeps them', () => {
    const org = LocalOrganization.fromFile(SAMPLE);
    const json = org.toJSON();

    const everyTarget = [json.rootId, ...json.organizationalUnits.map((ou) => ou.id), ...json.accounts.map((a) => a.id)];
    const counts = everyTarget.map((id) => org.policiesForTarget(id, 'SERVICE_CONTROL_POLICY').length);
    expect(counts.every((n) => n >= 1 && n <= 10)).toBe(true);
  });

  it('loads the sample organization into a LocalOrganization that prints it back unchanged', () => {
    const json: unknown = JSON.parse(readFileSync(SAMPLE, 'utf8'));

    const printed: unknown = JSON.parse(JSON.stringify(LocalOrganization.fromJson(json)));

    expect(printed).toEqual(json);
  });

  it('names a file that is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'org-file-'));
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{ "rootId": ');

    try {
      expect(() => loadOrganizationFile(path)).toThrow(/broken\.json is not a valid organization file:\n {2}- not valid JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('parseOrganization', () => {
  it('names the field of an account whose parent is not in the organization', () => {
    const json = fixture();
    json.accounts[1].parentId = 'ou-x-y';

    expect(problemsOf(json)).toEqual(['accounts[1].parentId: no root or OU "ou-x-y" in the organization']);
  });

  it('names the field of a malformed account id', () => {
    const json = fixture();
    json.accounts[2].id = '12345';

    expect(problemsOf(json)).toEqual(['accounts[2].id: expected twelve digits (an account id)']);
  });

  it('names the field of a malformed root id', () => {
    const json = fixture();
    json.rootId = 'root';

    expect(problemsOf(json)).toEqual(['rootId: expected r-[0-9a-z]{4,32} (a root id)']);
  });

  it('names the field of a malformed OU id', () => {
    const json = fixture();
    json.organizationalUnits[0].id = 'ou-prod';

    expect(problemsOf(json)[0]).toMatch(/^organizationalUnits\[0\]\.id: expected ou-/);
  });

  it('names the field of a malformed policy id', () => {
    const json = fixture();
    json.policies[1].id = 'p-short';

    expect(problemsOf(json)[0]).toMatch(/^policies\[1\]\.id: expected p-/);
  });

  it('names an unknown policy type', () => {
    const json = fixture();
    json.policies[0].type = 'SCP';

    expect(problemsOf(json)[0]).toMatch(/^policies\[0\]\.type: expected one of SERVICE_CONTROL_POLICY, /);
  });

  it('names a policy target that is not in the organization', () => {
    const json = fixture();
    (json.policies[1].targets as string[]).push('444444444444');

    expect(problemsOf(json)).toEqual(['policies[1].targets[2]: no root, OU or account "444444444444" in the organization']);
  });

  it('names a policy target listed twice', () => {
    const json = fixture();
    json.policies[2].targets = ['ou-ab12-11111111', 'ou-ab12-11111111'];

    expect(problemsOf(json)).toEqual(['policies[2].targets[1]: "ou-ab12-11111111" is listed twice']);
  });

  it('names an id used twice', () => {
    const json = fixture();
    json.accounts[2].id = '222222222222';

    expect(problemsOf(json)).toContain('accounts[2].id: "222222222222" is already used by accounts[1].id');
  });

  it('names an OU that is its own ancestor', () => {
    const json = fixture();
    json.organizationalUnits.push({ id: 'ou-ab12-33333333', name: 'A', parentId: 'ou-ab12-44444444' });
    json.organizationalUnits.push({ id: 'ou-ab12-44444444', name: 'B', parentId: 'ou-ab12-33333333' });

    expect(problemsOf(json)).toEqual([
      'organizationalUnits[2].parentId: "ou-ab12-44444444" makes a cycle; every OU must lead up to the root',
      'organizationalUnits[3].parentId: "ou-ab12-33333333" makes a cycle; every OU must lead up to the root',
    ]);
  });

  it('names an unknown key, so a typo cannot pass unnoticed', () => {
    const json = fixture();
    json.accounts[0].parentID = 'r-ab12';

    expect(problemsOf(json)).toEqual(['accounts[0]: unknown key "parentID"']);
  });

  it('names a missing required field', () => {
    const json = fixture();
    delete json.policies[0].content;

    expect(problemsOf(json)).toEqual(['policies[0].content: required']);
  });

  it('names a policy document that is not a JSON object', () => {
    const json = fixture();
    json.policies[0].content = '{"Version":"2012-10-17"}';

    expect(problemsOf(json)).toEqual(['policies[0].content: expected the policy document as a JSON object']);
  });

  it('enables SCPs and the types of the policies in a file without policyTypes, as files did before the key', () => {
    const org = new LocalOrganization(parseOrganization(fixture()));

    expect(org.enabledPolicyTypes()).toEqual(['SERVICE_CONTROL_POLICY', 'TAG_POLICY']);
  });

  it('enables exactly the types policyTypes lists', () => {
    const json = fixture();
    json.policyTypes = ['TAG_POLICY'];
    for (const policy of json.policies) if (policy.type === 'SERVICE_CONTROL_POLICY') policy.targets = [];

    const org = new LocalOrganization(parseOrganization(json));

    expect(org.enabledPolicyTypes()).toEqual(['TAG_POLICY']);
    expect(org.isPolicyTypeEnabled('SERVICE_CONTROL_POLICY')).toBe(false);
  });

  it('prints the enabled types back as policyTypes, so a printed organization loads as it was', () => {
    const org = new LocalOrganization(parseOrganization(fixture()));
    org.disablePolicyType('SERVICE_CONTROL_POLICY');

    const reloaded = LocalOrganization.fromJson(JSON.parse(JSON.stringify(org)));

    expect(reloaded.enabledPolicyTypes()).toEqual(['TAG_POLICY']);
  });

  it('names a policy attached while its type is not in policyTypes', () => {
    const json = fixture();
    json.policyTypes = ['SERVICE_CONTROL_POLICY'];

    expect(problemsOf(json)).toEqual(['policies[5].targets: TAG_POLICY is not enabled on the root (policyTypes), so no policy of it can be attached']);
  });

  it('names an unknown or repeated policy type in policyTypes', () => {
    const unknown = fixture();
    unknown.policyTypes = ['SCP'];
    const repeated = fixture();
    repeated.policyTypes = ['SERVICE_CONTROL_POLICY', 'TAG_POLICY', 'TAG_POLICY'];

    expect(problemsOf(unknown)[0]).toMatch(/^policyTypes\[0\]: expected one of SERVICE_CONTROL_POLICY, /);
    expect(problemsOf(repeated)).toEqual(['policyTypes: expected each policy type once']);
  });

  it('names a management account that is not in the organization', () => {
    const json = fixture();
    json.managementAccountId = '999999999999';

    expect(problemsOf(json)).toEqual(['managementAccountId: no account "999999999999" in the organization']);
  });
});
