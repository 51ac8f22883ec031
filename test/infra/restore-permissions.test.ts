import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { FUNCTION_TIMEOUT_SECONDS } from '../../functions/shared/workflow-functions';
import { actionCovers, allStatements, asList, logicalId, NO_BUNDLING, roleStatements, rulesFileFromSample, synthesize, withRulesFile, type Statement } from './support';

const ORG = 'arn:aws:organizations::';
const { stack, template, templateJson: json } = synthesize(NO_BUNDLING);
const restoreRole = (built = { stack, json }) => roleStatements(built.json, logicalId(built.stack.handlers.restoreRole as IConstruct));
const statementsFor = (statements: Statement[], action: string) => statements.filter((s) => asList(s.Action).includes(action));
/** Resource ARNs with the partition token resolved to text, for comparison. */
const resources = (statement: Statement | undefined): string[] => asList(statement?.Resource).map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).sort();

describe('the restore function: permissions', () => {
  it('has a function of its own with its own timeout, substituted into the workflow', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: FUNCTION_TIMEOUT_SECONDS.restore, Role: { 'Fn::GetAtt': [logicalId(stack.handlers.restoreRole as IConstruct), 'Arn'] } });
    const machine = Object.values(json.Resources).find((r) => r.Type === 'AWS::StepFunctions::StateMachine');

    expect(Object.keys(machine?.Properties.DefinitionSubstitutions)).toContain('RestoreFunctionArn');
  });

  it('enables a policy type on the root only, and only the protected types', () => {
    const [enable] = statementsFor(restoreRole(), 'organizations:EnablePolicyType');

    expect(resources(enable)).toEqual([`${ORG}*:root/o-*/r-*`]);
    expect(enable.Condition).toEqual({ StringEquals: { 'organizations:PolicyType': ['SERVICE_CONTROL_POLICY'] } });
  });

  it('detaches a forbidden policy from its own targets, and FullAWSAccess from the explicitly named protect targets, each in a statement of its own', () => {
    const detach = statementsFor(restoreRole(), 'organizations:DetachPolicy').filter((s) => s.Effect === 'Allow').map(resources);

    expect(detach).toEqual([
      [`${ORG}*:ou/o-*/ou-a1b2-r8n2qv4j`, `${ORG}aws:policy/service_control_policy/p-FullAWSAccess`],
      [...['ou-a1b2-7hq4vz2n', 'ou-a1b2-m5t8wd6c', 'ou-a1b2-r8n2qv4j'].map((id) => `${ORG}*:ou/o-*/${id}`), `${ORG}aws:policy/service_control_policy/p-FullAWSAccess`],
    ]);
  });

  // IAM authorizes the policy and the target of a DetachPolicy each on their own, so the Allow
  // statements bound policies and targets, not pairs: the protected policies are denied outright.
  it('can never detach a protected policy, whatever the Allow statements let through', () => {
    const denied = statementsFor(restoreRole(), 'organizations:DetachPolicy').filter((s) => s.Effect === 'Deny');

    expect(denied.map((s) => s.Sid)).toEqual(['NeverDetachProtectedPolicies']);
    expect(resources(denied[0])).toEqual(['p-allowlist1', 'p-denyleave1', 'p-protectct'].map((id) => `${ORG}*:policy/o-*/service_control_policy/${id}`));
  });

  it('moves accounts, naming the account and any root or OU as the parents (IAM authorises both against one list)', () => {
    const [move] = statementsFor(restoreRole(), 'organizations:MoveAccount');

    expect(resources(move)).toEqual([`${ORG}*:account/o-*/*`, `${ORG}*:ou/o-*/ou-*`, `${ORG}*:root/o-*/r-*`]);
  });

  it('attaches policies as the reattach function does', () => {
    const reattach = roleStatements(json, logicalId(stack.handlers.functions.reattach.role as IConstruct));

    expect(resources(statementsFor(restoreRole(), 'organizations:AttachPolicy')[0])).toEqual(resources(statementsFor(reattach, 'organizations:AttachPolicy')[0]));
  });

  it('cannot update a policy unless policyContent.restore is true, and then only the protected ones', () => {
    const restoring = synthesize({ ...NO_BUNDLING, ...withRulesFile(rulesFileFromSample((rules) => (rules.policyContent = { mode: 'approval', restore: true }))) });

    const [update] = statementsFor(restoreRole({ stack: restoring.stack, json: restoring.templateJson }), 'organizations:UpdatePolicy');

    expect(statementsFor(restoreRole(), 'organizations:UpdatePolicy')).toEqual([]);
    // The sample has a "policies": "*" rule on Prod: every customer-managed SCP, never an AWS-managed one.
    expect(resources(update)).toEqual([`${ORG}*:policy/o-*/service_control_policy/p-*`]);
  });

  it('reads only the desired state of the table', () => {
    const [read] = statementsFor(restoreRole(), 'dynamodb:GetItem');

    expect(asList(read.Action)).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
    expect(read.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['DESIRED#*'] } });
    expect(restoreRole().flatMap((s) => asList(s.Action)).filter((a) => /dynamodb:(PutItem|UpdateItem|DeleteItem|Scan)/.test(String(a)))).toEqual([]);
  });

  it('writes nothing else to the organization', () => {
    const writes = restoreRole()
      .flatMap((s) => asList(s.Action) as string[])
      .filter((a) => a.startsWith('organizations:') && !/^organizations:(Describe|List)/.test(a));

    expect([...new Set(writes)].sort()).toEqual(['organizations:AttachPolicy', 'organizations:DetachPolicy', 'organizations:EnablePolicyType', 'organizations:MoveAccount']);
  });

  it.each(['organizations:*', 'organizations:DeletePolicy', 'organizations:DisablePolicyType', 'organizations:CreatePolicy'])('gives no role in the template %s', (action) => {
    const granting = allStatements(json).filter(({ statement }) => statement.Effect === 'Allow' && asList(statement.Action).some((pattern) => actionCovers(String(pattern), action) || String(pattern) === action));

    expect(granting.map(({ where }) => where)).toEqual([]);
  });
});

describe('the restore function: cdk-nag', () => {
  it.each([
    ['AwsSolutionsChecks', () => new AwsSolutionsChecks()],
    ['ServerlessChecks', () => new ServerlessChecks()],
  ])('%s finds nothing unacknowledged on the restore role', (_name, pack) => {
    const report = pack().validateScope(stack.handlers);
    const findings = report.violations.filter((v) => v.violatingResources.some((r) => r.constructPath?.includes('RestoreRole') === true)).map((v) => `${v.severity} ${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);

    expect(findings).toEqual([]);
  });
});
