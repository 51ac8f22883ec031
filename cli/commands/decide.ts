import { Command, Option } from 'commander';
import { userInfo } from 'node:os';
import { DURATION_EXAMPLES, parseOverrideDuration } from '../../functions/shared/decisions/override-duration';
import { Decision, type HumanDecision } from '../../functions/shared/vocabulary';
import { DATA_DIR_ENV, resolveDataDir } from '../../local/dynamodb/local-audit-data';
import { awsClients, decideOnAws, STACK_REGION, type AwsDecideClients } from '../decide/aws';
import { decideOnLocal } from '../decide/local';
import { DecideCommandError, type DecideOutcome } from '../decide/outcome';
import { DEFAULT_LOCAL_URL, localOption, localServerUrl } from '../local-option';

/** The options `decide` takes, as commander hands them over. */
export interface DecideOptions {
  approve?: boolean;
  override?: boolean;
  reason?: string;
  /** With --override: how long it lasts, as typed (`30m`, `4h`, `2d`). */
  for?: string;
  /** `--local [url]`: the URL given, or true for the server's default address. */
  local?: string | true;
  /** With --local: the data folder the server was started with (its token is there). */
  dataDir?: string;
  table?: string;
  region: string;
  botTokenSecret?: string;
}

/** What the command talks to; tests replace the AWS clients. */
export interface DecideEnvironment {
  env: NodeJS.ProcessEnv;
  awsClients: (region: string) => AwsDecideClients;
}

function chosenDecision(options: DecideOptions): HumanDecision {
  if (options.approve === options.override) throw new DecideCommandError('say --approve (reattach now) or --override (keep detached), exactly one');
  return options.approve === true ? Decision.APPROVE : Decision.OVERRIDE;
}

function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** `--for` in minutes; undefined without it. The bounds are checked where the rules are known (decide). */
function chosenDuration(options: DecideOptions, decision: HumanDecision): number | undefined {
  if (options.for === undefined) return undefined;
  if (decision !== Decision.OVERRIDE) throw new DecideCommandError('--for goes with --override: it says how long the policy stays detached');
  const minutes = parseOverrideDuration(options.for);
  if (minutes === undefined) throw new DecideCommandError(`--for ${JSON.stringify(options.for)}: expected a duration such as ${DURATION_EXAMPLES}`);
  return minutes;
}

/** Checks the options, then decides against a local server (`--local`) or the deployed stack. */
export async function runDecide(incidentIdArgument: string, options: DecideOptions, environment: DecideEnvironment): Promise<DecideOutcome> {
  const incidentId = incidentIdArgument.trim();
  if (incidentId === '') throw new DecideCommandError('INCIDENT_ID is empty: give the incident id (the CloudTrail eventID of the detach)');
  const decision = chosenDecision(options);
  const reason = options.reason?.trim() || undefined;
  if (decision === Decision.OVERRIDE && reason === undefined) throw new DecideCommandError('--override needs --reason: say why the policy stays detached (it goes into the audit trail)');
  const forMinutes = chosenDuration(options, decision);

  if (options.local !== undefined) {
    const dataDir = resolveDataDir(options.dataDir, environment.env);
    return decideOnLocal({ url: localServerUrl(options.local), incidentId, decision, reason, forMinutes, by: `local:${localUser()}`, dataDir });
  }
  const tableName = options.table ?? (environment.env.SCP_GUARDIAN_TABLE || undefined);
  if (tableName === undefined) {
    throw new DecideCommandError(
      "the audit table is unknown: give --table NAME (the stack's AuditTableName output) or set SCP_GUARDIAN_TABLE; for a local run give --local URL",
    );
  }
  const botTokenSecretArn = options.botTokenSecret ?? (environment.env.SCP_GUARDIAN_BOT_TOKEN_SECRET || undefined);
  const slackApiUrl = environment.env.SLACK_API_URL || undefined;
  return decideOnAws({ incidentId, decision, reason, forMinutes, tableName, botTokenSecretArn, slackApiUrl }, environment.awsClients(options.region));
}

/** `scp-guardian decide INCIDENT_ID --approve|--override --reason TEXT [--for 4h]` (docs/cli.md, "`decide`"). */
export function decideCommand(environment: DecideEnvironment = { env: process.env, awsClients }): Command {
  return new Command('decide')
    .description('approve or override a waiting incident without Slack; recorded with your identity')
    .argument('<incident-id>', 'the incident (the CloudTrail eventID of the detach)')
    .addOption(new Option('--approve', 'reattach the policy now').conflicts('override'))
    .addOption(new Option('--override', 'keep the policy detached (needs --reason)').conflicts('approve'))
    .option('--reason <text>', 'why; required with --override, recorded in the audit trail')
    .option('--for <duration>', "with --override: how long the policy stays detached, e.g. 30m, 4h, 2d (default: the rules' overrides.defaultHours; at most overrides.maxHours)")
    .addOption(localOption(`the server on ${DEFAULT_LOCAL_URL}`))
    .option('--data-dir <dir>', `with --local: the data folder the server was started with, which holds its token (default: $${DATA_DIR_ENV} or ./.scp-guardian)`)
    .option('--table <name>', "the audit table: the stack's AuditTableName output (default: $SCP_GUARDIAN_TABLE)")
    .option('--region <region>', 'the stack region', STACK_REGION)
    .option('--bot-token-secret <arn>', "update the Slack message at once: the stack's BotTokenSecretArn output (default: $SCP_GUARDIAN_BOT_TOKEN_SECRET)")
    .action(async (incidentId: string, options: DecideOptions) => {
      try {
        const outcome = await runDecide(incidentId, options, environment);
        if (outcome.ok) process.stdout.write(`${outcome.message}\n`);
        else process.stderr.write(`scp-guardian decide: ${outcome.message}\n`);
        if (outcome.note !== undefined) process.stderr.write(`note: ${outcome.note}\n`);
        if (!outcome.ok) process.exitCode = 1;
      } catch (error) {
        if (!(error instanceof DecideCommandError)) throw error;
        process.stderr.write(`scp-guardian decide: ${error.message}\n`);
        process.exitCode = 1;
      }
    });
}
