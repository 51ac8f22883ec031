import { Command, InvalidArgumentError, Option } from 'commander';
import { join, resolve } from 'node:path';
import { DURATION_EXAMPLES, overrideDurationProblem, parseOverrideDuration } from '../../functions/shared/decisions/override-duration';
import { loadProtectionRules } from '../../config/load';
import { EventPathError, eventFiles, readEventFile, type ReplayEvent } from '../../local/event-files';
import { stderrLog, type LogLevel } from '../../local/local-log';
import { loadOrganizationFile } from '../../local/stand-ins/organizations/organization-file';
import { toJsonDocument } from '../../local/report';
import { parseDynamoDbFaults, type DynamoDbFaults } from '../../local/dynamodb/fault-proxy';
import { DATA_DIR_ENV, resolveDataDir } from '../../local/dynamodb/local-audit-data';
import { FEW_EVENTS, runLocal, type LocalDecision } from '../../local/runner';
import { exitWhenDone } from '../../local/process-exit';
import { serveLocal } from '../../local/serve';
import { formatCanary } from '../local/canary-text';
import { formatRun } from '../local/run-text';
import { sampleRulesFile, shownPath } from '../config/default-rules-file';
import { PROJECT_ROOT } from '../project-root';
import { textStyle } from '../terminal/style';

const SAMPLES = join(PROJECT_ROOT, 'samples');

const number = (what: string, min: number, max: number) => (text: string) => {
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max) throw new InvalidArgumentError(`${what} must be a number from ${min} to ${max}`);
  return value;
};

const overrideDuration = (text: string): number => {
  const minutes = parseOverrideDuration(text);
  if (minutes === undefined) throw new InvalidArgumentError(`expected a duration such as ${DURATION_EXAMPLES}`);
  return minutes;
};

const dynamoDbFaults = (text: string): DynamoDbFaults => {
  try {
    return parseDynamoDbFaults(text);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
};

interface LocalOptions {
  config: string;
  org: string;
  event?: string[];
  decision: LocalDecision;
  reason?: string;
  /** `--for`, in minutes. */
  for?: number;
  json?: boolean;
  wide?: boolean;
  serve?: boolean;
  port: number;
  organizationsEndpoint?: string;
  approvalTimeout: number;
  rateLimit?: number;
  throttleProbability?: number;
  serviceErrorProbability?: number;
  dynamodbFaults?: DynamoDbFaults;
  hangProbability?: number;
  seed?: number;
  logLevel: LogLevel;
  dataDir?: string;
  canary?: boolean;
  sweep?: boolean;
}

/** `scp-guardian local`: the real workflow on local components (contract: docs/contracts.md, "`local --json`"). */
export function localCommand(): Command {
  return new Command('local')
    .description('replay CloudTrail events through the real workflow on local components, or serve it (--serve)')
    .option('--config <file>', 'protection rules (the sample ones fit the sample --org)', sampleRulesFile())
    .option('--org <file>', 'the local organization', join(SAMPLES, 'organization.json'))
    .option('--event <path...>', 'events to replay: files (EventBridge envelopes, CloudTrail records or log files) or directories of *.json (default: samples/events/)')
    .addOption(new Option('--decision <decision>', 'answer every approval request').choices(['approve', 'override', 'none']).default('approve'))
    .option('--reason <text>', 'the reason given with --decision override')
    .option('--for <duration>', "with --decision override: how long each override lasts, e.g. 30m, 4h, 2d (default: the rules' overrides.defaultHours)", overrideDuration)
    .option('--json', 'print one JSON document on stdout (logs go to stderr)')
    .option('--wide', 'every fact whole, the execution ARN and every step\'s detail (default: fit the terminal, 80 columns when not one)')
    .option('--serve', 'keep running and serve events, Slack interactions and incidents on 127.0.0.1')
    .option('--port <n>', 'port for --serve (0: any free port)', number('--port', 0, 65535), 8787)
    .option('--organizations-endpoint <url>', 'use another endpoint that speaks the Organizations protocol; the organization file is not loaded')
    .option('--approval-timeout <seconds>', 'with --decision none: the shortened approval window', number('--approval-timeout', 1, 3600), 5)
    .option('--rate-limit <rps>', 'local Organizations endpoint: requests per second, for each operation (AttachPolicy, ListPoliciesForTarget, ...) on its own', number('--rate-limit', 0.1, 10000))
    .option('--throttle-probability <p>', 'local Organizations endpoint: probability of a 429', number('--throttle-probability', 0, 1))
    .option('--service-error-probability <p>', 'local Organizations endpoint: probability of a 503', number('--service-error-probability', 0, 1))
    .option('--hang-probability <p>', 'local Organizations endpoint: probability that a call is never answered (the client times out)', number('--hang-probability', 0, 1))
    .option('--dynamodb-faults <mode>', 'a fault proxy in front of DynamoDB Local: unavailable (every call fails), throttle:P (a fraction P throttled) or error:P (a fraction P gets a 500)', dynamoDbFaults)
    .option('--seed <n>', 'seed for injected faults', number('--seed', 0, 2 ** 32))
    .addOption(new Option('--log-level <level>', 'handler logs on stderr').choices(['debug', 'info', 'warn', 'error', 'silent']).default('warn'))
    .option('--sweep', 'after the replays, sweep once more (as the schedule would): every desired pair missing from the local organization starts a DRIFT incident, and the run waits for them')
    .option('--canary', 'run the daily canary once: detach the canary pair through the local Organizations endpoint and feed its DetachPolicy to the workflow (no sample events unless --event)')
    .option('--data-dir <dir>', `where the audit trail is kept for \`scp-guardian audit --local\`, emptied at the start (default: $${DATA_DIR_ENV} or ./.scp-guardian)`)
    // exitWhenDone: every way out (a signal, a closed stdout, an error at start) stops DynamoDB Local too.
    .action((options: LocalOptions) => exitWhenDone(async (stopped) => {
      const rules = loadProtectionRules(resolve(options.config));
      if (options.for !== undefined) {
        if (options.decision !== 'override') throw new InvalidArgumentError('--for goes with --decision override: it says how long each override lasts');
        const problem = overrideDurationProblem(options.for, rules.overrides);
        if (problem !== undefined) throw new InvalidArgumentError(`--for: ${problem}`);
      }
      if (options.canary && options.serve) throw new InvalidArgumentError('--canary runs once and exits: it cannot be combined with --serve');
      if (options.sweep && options.serve) throw new InvalidArgumentError('--sweep runs once after the replays: with --serve, POST /reconcile (or scp-guardian reconcile --local URL) sweeps');
      if (options.canary && rules.canary === undefined) {
        throw new InvalidArgumentError(
          `--canary: ${options.config} has no "canary"; try: scp-guardian local --canary --config samples/canary/protection-rules.json --org samples/canary/organization.json`,
        );
      }
      const organization = options.organizationsEndpoint === undefined ? loadOrganizationFile(resolve(options.org)) : undefined;
      const faults =
        options.rateLimit !== undefined ||
        options.throttleProbability !== undefined ||
        options.serviceErrorProbability !== undefined ||
        options.hangProbability !== undefined
          ? {
              rateLimit: options.rateLimit === undefined ? undefined : { requestsPerSecond: options.rateLimit },
              throttleProbability: options.throttleProbability,
              serviceErrorProbability: options.serviceErrorProbability,
              hangProbability: options.hangProbability,
              seed: options.seed,
            }
          : undefined;
      const slack = process.env.SLACK_BOT_TOKEN ? { token: process.env.SLACK_BOT_TOKEN, channel: rules.notify.slackChannel } : undefined;
      const common = {
        rules,
        organization,
        organizationsEndpoint: options.organizationsEndpoint,
        faults,
        dynamoDbFaults: options.dynamodbFaults === undefined ? undefined : { ...options.dynamodbFaults, seed: options.seed },
        slack,
        log: stderrLog(options.logLevel),
        dataDir: resolveDataDir(options.dataDir),
      };
      const progress = (line: string) => process.stderr.write(`${line}\n`);

      if (options.serve) {
        const activity = (line: string) => process.stdout.write(`${line}\n`);
        await serveLocal({ ...common, port: options.port, slackSigningSecret: process.env.SLACK_SIGNING_SECRET, progress, activity, until: stopped });
        return;
      }

      let events: ReplayEvent[];
      try {
        const paths = options.event ?? (options.canary ? [] : [join(SAMPLES, 'events')]);
        events = eventFiles(paths.map((path) => resolve(path)))
          .flatMap((file) => readEventFile(file))
          .map((event) => ({ ...event, source: shownPath(event.source) }));
      } catch (error) {
        if (!(error instanceof EventPathError)) throw error;
        process.stderr.write(`scp-guardian local: --event ${error.message}\n`);
        process.exitCode = 1;
        return;
      }
      const report = await runLocal({
        ...common,
        events,
        decision: options.decision,
        reason: options.reason,
        overrideMinutes: options.for,
        approvalTimeoutSeconds: options.approvalTimeout,
        canary: options.canary,
        sweep: options.sweep,
        progress: options.json ? undefined : progress,
        // With --json too, a long replay says how far it is on stderr.
        eventProgress: options.json && events.length <= FEW_EVENTS ? undefined : progress,
        // Email subscriptions filter out the self-test's and the canary's routine notices (infra/constructs/notifications.ts).
        onPublish: options.json ? undefined : (message) => progress(`${message.attributes.canary || message.attributes.selfTest ? '[sns, no email]' : '[email]'} ${message.subject}`),
      });
      const document = { ...toJsonDocument(report), ...(report.canary === undefined ? {} : { canary: report.canary }) };
      const style = textStyle(process.stdout, process.env, { wide: options.wide });
      const text = `${formatRun(report, { style, wide: options.wide })}${report.canary === undefined ? '' : `\n\n${formatCanary(report.canary)}`}`;
      process.stdout.write(options.json ? `${JSON.stringify(document, null, 2)}\n` : `${text}\n`);
      progress(`audit trail kept in ${common.dataDir}: scp-guardian audit list --local${options.dataDir === undefined ? '' : ` --data-dir ${common.dataDir}`}`);
      // A canary that refused opened no incident: its own line below says so.
      if (!report.complete && !(report.canary?.refused !== undefined && report.incidents.length === 0)) {
        process.stderr.write('scp-guardian local: not every incident reached an outcome\n');
        process.exitCode = 1;
      }
      if (report.canary !== undefined && !report.canary.passed) {
        process.stderr.write(`scp-guardian local: the canary did not pass${report.canary.refused ? ` (${report.canary.refused.error})` : ''}\n`);
        process.exitCode = 1;
      }
      if (report.unrecorded.length > 0) {
        process.stderr.write(
          `scp-guardian local: the audit trail could not be written for ${report.unrecorded.length} of ${report.incidents.length} incidents; each was still handled (see "organization"), and its execution failed with AuditTrailIncomplete\n`,
        );
        process.exitCode = 1;
      }
    }, { label: 'scp-guardian local' }));
}
