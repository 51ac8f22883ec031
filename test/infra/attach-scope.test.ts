import { App, Stack } from 'aws-cdk-lib';
import { parseProtectionRules } from '../../config/load';
import { attachScope } from '../../infra/attach-scope';

/** AttachPolicy as narrow as the rules allow (docs: "Writes to the organization"). */
describe('the AttachPolicy scope', () => {
  const stack = new Stack(new App({ context: { '@aws-cdk/core:enablePartitionLiterals': true } }), 'Scope', { env: { account: '111122223333', region: 'us-east-1' } });

  it('names only the policies and targets the rules name when no rule has a "*"', () => {
    const rules = parseProtectionRules({
      protect: [
        { policyId: 'p-denyleave1', targets: ['r-a1b2', 'ou-a1b2-7hq4vz2n'], mode: 'auto' },
        { targetId: '333344445555', policies: ['p-protectct', 'p-FullAWSAccess'], mode: 'approval' },
      ],
    });

    const scope = attachScope(stack, rules);

    expect(scope.policies.sort()).toEqual(
      [
        'arn:aws:organizations::*:policy/o-*/service_control_policy/p-denyleave1',
        'arn:aws:organizations::*:policy/o-*/service_control_policy/p-protectct',
        'arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess',
      ].sort(),
    );
    expect(scope.targets.sort()).toEqual(['arn:aws:organizations::*:account/o-*/333344445555', 'arn:aws:organizations::*:ou/o-*/ou-a1b2-7hq4vz2n', 'arn:aws:organizations::*:root/o-*/r-a1b2'].sort());
    expect(scope.wildcards).toEqual({});
  });

  it('widens the policies to every policy of a protected type only for a "policies": "*" rule, and says which', () => {
    const rules = parseProtectionRules({ protect: [{ targetId: 'ou-a1b2-7hq4vz2n', policies: '*', mode: 'auto' }], policyTypes: ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY'] });

    const scope = attachScope(stack, rules);

    expect(scope.policies).toEqual(expect.arrayContaining(['arn:aws:organizations::*:policy/o-*/resource_control_policy/p-*', 'arn:aws:organizations::aws:policy/service_control_policy/p-*']));
    expect(scope.targets).toEqual(['arn:aws:organizations::*:ou/o-*/ou-a1b2-7hq4vz2n']);
    expect(scope.wildcards.policies).toBe('protect[0] keeps every policy on ou-a1b2-7hq4vz2n');
  });

  it("names an AWS-managed policy by its own ARN and its own type only", () => {
    const rules = parseProtectionRules({
      protect: [{ targetId: 'r-a1b2', policies: ['p-RCPFullAWSAccess', 'p-FullAWSAccess'], mode: 'auto' }],
      policyTypes: ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY'],
    });

    const scope = attachScope(stack, rules);

    expect(scope.policies.sort()).toEqual(['arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess', 'arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess'].sort());
  });

  it('widens the targets to every root, OU and account only for a "targets": "*" rule', () => {
    const rules = parseProtectionRules({ protect: [{ policyId: 'p-denyleave1', targets: '*', mode: 'auto' }] });

    const scope = attachScope(stack, rules);

    expect(scope.policies).toEqual(['arn:aws:organizations::*:policy/o-*/service_control_policy/p-denyleave1']);
    expect(scope.targets.sort()).toEqual(['arn:aws:organizations::*:account/o-*/*', 'arn:aws:organizations::*:ou/o-*/ou-*', 'arn:aws:organizations::*:root/o-*/r-*'].sort());
    expect(scope.wildcards.targets).toBe('protect[0] keeps p-denyleave1 on every target');
  });
});
