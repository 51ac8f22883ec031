import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Permission, SWEEP_PERMISSIONS } from '../../../cli/doctor/aws-calls';
import { doctorReport, formatDoctorReport } from '../../../cli/doctor/report';
import { doctorOnAws } from '../../../cli/doctor/run';
import { parseProtectionRules } from '../../../config/load';
import { PROJECT_ROOT } from '../../../cli/project-root';
import { DENY_LEAVE, healthyAccount, mockAws, mocks, RULES, SIGNING } from './support';

/** The JSON blocks of docs/cli.md's "What doctor needs in IAM" section. */
function iamPolicyInDocs(): { Statement: { Action: string[] }[] } {
  const text = readFileSync(join(PROJECT_ROOT, 'docs', 'cli.md'), 'utf8');
  const section = text.slice(text.indexOf('### What doctor needs in IAM'));
  const block = /```json\n([\s\S]*?)```/.exec(section);
  if (block === null) throw new Error('docs/cli.md: no IAM policy under "What doctor needs in IAM"');
  return JSON.parse(block[1]) as { Statement: { Action: string[] }[] };
}

/** The IAM prefix of each SDK client doctor sends commands with (STS's GetCallerIdentity needs no permission). */
const IAM_PREFIX: Record<string, string | undefined> = {
  'client-organizations': 'organizations',
  'client-cloudformation': 'cloudformation',
  'client-eventbridge': 'events',
  'client-scheduler': 'scheduler',
  'client-cloudwatch': 'cloudwatch',
  'client-cloudtrail': 'cloudtrail',
  'client-lambda': 'lambda',
  'client-sfn': 'states',
  'client-sns': 'sns',
  'client-secrets-manager': 'secretsmanager',
  'client-sts': undefined,
};

/**
 * What doctor's own code (cli/doctor/*.ts) asks AWS, read from its source: each `new XCommand(`
 * as `prefix:X`, the prefix by the package that exports XCommand; and every Permission.KEY it
 * names (the audit table's Query goes through AuditQueries, which names no command here).
 */
function doctorSource(): { commands: string[]; named: string[] } {
  const folder = join(PROJECT_ROOT, 'cli', 'doctor');
  const commands: string[] = [];
  const named: string[] = [];
  for (const file of readdirSync(folder).filter((name) => name.endsWith('.ts'))) {
    const text = readFileSync(join(folder, file), 'utf8');
    const packageOf = new Map<string, string>();
    for (const [, names, pkg] of text.matchAll(/import \{([^}]*)\} from '@aws-sdk\/([a-z-]+)'/g)) {
      for (const name of names.split(',').map((entry) => entry.replace(/\btype\b/, '').trim())) packageOf.set(name, pkg);
    }
    for (const [, operation] of text.matchAll(/new ([A-Z][A-Za-z]+)Command\(/g)) {
      const pkg = packageOf.get(`${operation}Command`);
      if (pkg === undefined) throw new Error(`cli/doctor/${file}: ${operation}Command is not imported from an @aws-sdk package`);
      if (!(pkg in IAM_PREFIX)) throw new Error(`cli/doctor/${file}: @aws-sdk/${pkg} has no IAM prefix in this test`);
      const prefix = IAM_PREFIX[pkg];
      if (prefix !== undefined) commands.push(`${prefix}:${operation}`);
    }
    for (const [, key] of text.matchAll(/\bPermission\.([A-Z_]+)\b/g)) named.push(Permission[key as keyof typeof Permission]);
  }
  return { commands, named };
}

describe('doctor\'s documented IAM policy', () => {
  it('lists exactly the permissions of the Permission table', () => {
    const documented = iamPolicyInDocs().Statement.flatMap((statement) => statement.Action);

    expect([...documented].sort()).toEqual(Object.values(Permission).sort());
  });

  it('has in the Permission table every call doctor\'s code makes, and nothing neither doctor nor its dry-run sweep uses', () => {
    const { commands, named } = doctorSource();
    const table: string[] = Object.values(Permission);

    expect(commands).toEqual(expect.arrayContaining(['organizations:DescribeOrganization', 'cloudtrail:GetTrailStatus', 'cloudformation:ListStackResources', 'lambda:GetFunctionConfiguration', 'events:DescribeRule', 'cloudwatch:DescribeAlarms', 'secretsmanager:DescribeSecret']));
    expect(commands.filter((permission) => !table.includes(permission))).toEqual([]);
    const used = new Set([...commands, ...named, ...SWEEP_PERMISSIONS]);
    expect(table.filter((permission) => !used.has(permission))).toEqual([]);
  });
});

describe('doctor\'s sample output in docs/cli.md', () => {
  it('is what doctor prints for the unit tests\' account whose p-denyleave1 was detached and whose signing secret was never set', async () => {
    const text = readFileSync(join(PROJECT_ROOT, 'docs', 'cli.md'), 'utf8');
    const section = text.slice(text.indexOf('Against AWS (this output comes from the unit tests'));
    const sample = /```text\n([\s\S]*?)\n```/.exec(section)?.[1];
    const now = new Date();
    const account = healthyAccount(now);
    account.attached[DENY_LEAVE] = [];
    mockAws(account, now);
    mocks.secrets.on(DescribeSecretCommand, { SecretId: SIGNING }).resolves({ VersionIdsToStages: {} });

    const run = await doctorOnAws(parseProtectionRules(RULES), { region: 'us-east-1', stack: 'ScpGuardian', now });

    expect(formatDoctorReport(doctorReport(run.target, 'rules.json', run.checks))).toBe(sample);
  });
});
