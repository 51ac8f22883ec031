import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalPattern, patternCovers, probes } from '../../../cli/doctor/event-pattern';
import { sweepAlarmDifferences } from '../../../cli/doctor/rules-and-schedules';
import { LOGICAL_ID, resourceByLogicalId, ResourceType, STACK_ENVIRONMENT, type StackResource } from '../../../cli/doctor/stack-resources';
import { MetricName } from '../../../functions/shared/metrics';
import { parseProtectionRules } from '../../../config/load';
import { ORGANIZATION_FILE_CONTEXT } from '../../../infra/canary-check';
import { forbiddenPolicyIds, intakeEventPattern } from '../../../infra/intake-pattern';
import { NO_BUNDLING, synthesize, withRulesFile } from '../../infra/support';
import { PROJECT_ROOT } from '../../../cli/project-root';

/**
 * What doctor assumes of the deployed stack, against the template `cdk synth` makes of the sample
 * rules with a canary: it finds the intake rule and the schedules by their logical ids, the
 * intake rule's pattern (as the CDK builds it) matches every call doctor expects it to, and an
 * alarm without actions is a condition of a composite alarm.
 */
// The canary sample (with the organization it is checked against at synth), and a forbid rule.
const canaryRules = JSON.parse(readFileSync(join(PROJECT_ROOT, 'samples/canary/protection-rules.json'), 'utf8')) as Record<string, unknown>;
const folder = mkdtempSync(join(tmpdir(), 'scp-guardian-doctor-synth-'));
const rulesFile = join(folder, 'rules.json');
writeFileSync(rulesFile, JSON.stringify({ ...canaryRules, forbid: [{ policyId: 'p-FullAWSAccess', targets: ['ou-a1b2-r8n2qv4j'], mode: 'auto' }] }));
const { templateJson } = synthesize({ ...NO_BUNDLING, [ORGANIZATION_FILE_CONTEXT]: 'samples/canary/organization.json', ...withRulesFile(rulesFile) });
afterAll(() => rmSync(folder, { recursive: true, force: true }));
const resources: StackResource[] = Object.entries(templateJson.Resources).map(([logicalId, resource]) => ({ logicalId, physicalId: logicalId, type: resource.Type }));

describe('doctor against the synthesized stack', () => {
  it.each([
    ['the intake rule', ResourceType.RULE, LOGICAL_ID.INTAKE_RULE],
    ['the self-test schedule', ResourceType.RULE, LOGICAL_ID.SELF_TEST_RULE],
    ['the canary schedule', ResourceType.RULE, LOGICAL_ID.CANARY_RULE],
    ['the sweep schedule', ResourceType.SCHEDULE, LOGICAL_ID.SWEEP_SCHEDULE],
    ['the sweep function', ResourceType.FUNCTION, LOGICAL_ID.SWEEP_FUNCTION],
    ['the canary function', ResourceType.FUNCTION, LOGICAL_ID.CANARY_FUNCTION],
    ['the intake\'s dead-letter queue', ResourceType.QUEUE, LOGICAL_ID.INTAKE_DEAD_LETTER_QUEUE],
  ])('finds %s by its logical id', (_what, type, prefix) => {
    expect(resourceByLogicalId({ resources }, type, prefix)).toBeDefined();
  });

  it('has the sweep schedule in the default group, enabled, invoking the sweep function: what doctor reads with GetSchedule', () => {
    const schedule = resourceByLogicalId({ resources }, ResourceType.SCHEDULE, LOGICAL_ID.SWEEP_SCHEDULE)!;
    const sweep = resourceByLogicalId({ resources }, ResourceType.FUNCTION, LOGICAL_ID.SWEEP_FUNCTION)!;
    const properties = templateJson.Resources[schedule.logicalId].Properties;

    expect(properties.GroupName).toBeUndefined();
    expect(properties.State).toBe('ENABLED');
    expect(properties.Target.Arn).toEqual({ 'Fn::GetAtt': [sweep.logicalId, 'Arn'] });
  });

  it('finds the stack\'s one state machine', () => {
    expect(resources.filter((resource) => resource.type === ResourceType.STATE_MACHINE)).toHaveLength(1);
  });

  it('judges the intake rule\'s pattern, as the CDK builds it, to match every watched call and the forbidden attachment', () => {
    const intake = resourceByLogicalId({ resources }, ResourceType.RULE, LOGICAL_ID.INTAKE_RULE)!;
    const pattern = JSON.stringify(templateJson.Resources[intake.logicalId].Properties.EventPattern);
    const rules = parseProtectionRules(JSON.parse(readFileSync(rulesFile, 'utf8')));

    expect(patternCovers(pattern, probes('111122223333', rules.forbid.map((forbid) => forbid.policyId)))).toEqual({ kind: 'covers' });
    // And it would notice a forbidden policy the deployed pattern does not know.
    expect(patternCovers(pattern, probes('111122223333', ['p-notforbidden']))).toMatchObject({ kind: 'misses', eventNames: ['AttachPolicy'] });
  });

  it('deploys the intake pattern doctor rebuilds from the rules and the guard roles classify is told', () => {
    const intake = resourceByLogicalId({ resources }, ResourceType.RULE, LOGICAL_ID.INTAKE_RULE)!;
    const deployed = templateJson.Resources[intake.logicalId].Properties.EventPattern;
    const told = Object.values(templateJson.Resources).map((resource) => resource.Properties?.Environment?.Variables?.[STACK_ENVIRONMENT.GUARD_ROLES]).filter((value) => value !== undefined);
    const rules = parseProtectionRules(JSON.parse(readFileSync(rulesFile, 'utf8')));
    // In the template the role ARNs are Fn::GetAtt tokens, the variable their Fn::Join with ',' between them.
    const [[separator, parts]] = told.map((value) => value['Fn::Join']);
    const guardRoles = (parts as unknown[]).filter((part) => part !== ',') as string[];

    expect(told).toHaveLength(1);
    expect(separator).toBe('');
    expect(parts).toHaveLength(5);
    expect(guardRoles).toHaveLength(3);
    expect(canonicalPattern(deployed)).toBe(canonicalPattern(intakeEventPattern(forbiddenPolicyIds(rules.forbid), guardRoles)));
  });

  it('builds the intake target doctor requires: the whole event, a role, the queue doctor finds by its logical id', () => {
    const intake = resourceByLogicalId({ resources }, ResourceType.RULE, LOGICAL_ID.INTAKE_RULE)!;
    const queue = resourceByLogicalId({ resources }, ResourceType.QUEUE, LOGICAL_ID.INTAKE_DEAD_LETTER_QUEUE)!;
    const [target] = templateJson.Resources[intake.logicalId].Properties.Targets;

    expect(target).toMatchObject({ DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queue.logicalId, 'Arn'] } }, RoleArn: expect.anything() });
    expect(Object.keys(target).filter((key) => key.startsWith('Input'))).toEqual([]);
  });

  it('defines the sweep alarm as doctor requires it (CloudFormation\'s property names are DescribeAlarms\' own)', () => {
    const [alarm] = Object.values(templateJson.Resources).filter((resource) => resource.Type === ResourceType.ALARM && resource.Properties.MetricName === MetricName.SWEEP_COMPLETED);
    const rules = parseProtectionRules(JSON.parse(readFileSync(rulesFile, 'utf8')));

    expect(sweepAlarmDifferences(alarm.Properties, rules.sweep.everyMinutes)).toEqual([]);
    expect(sweepAlarmDifferences({ ...alarm.Properties, TreatMissingData: 'notBreaching' }, rules.sweep.everyMinutes)).toHaveLength(1);
  });

  it('has the sweep alarm doctor reads the sweep by, and no alarm without actions that is not a composite\'s condition', () => {
    const alarms = Object.entries(templateJson.Resources).filter(([, resource]) => resource.Type === ResourceType.ALARM);
    const rules = JSON.stringify(Object.values(templateJson.Resources).filter((resource) => resource.Type === ResourceType.COMPOSITE_ALARM).map((resource) => resource.Properties.AlarmRule));

    expect(alarms.filter(([, alarm]) => alarm.Properties.MetricName === MetricName.SWEEP_COMPLETED)).toHaveLength(1);
    expect(alarms.filter(([id, alarm]) => (alarm.Properties.AlarmActions ?? []).length === 0 && !rules.includes(`"${id}","Arn"`)).map(([id]) => id)).toEqual([]);
  });
});
