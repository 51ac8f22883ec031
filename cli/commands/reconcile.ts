import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { Command } from 'commander';
import { describeError } from '../../functions/shared/errors';
import { FUNCTION_TIMEOUT_SECONDS } from '../../functions/shared/workflow-functions';
import type { Incident } from '../../functions/shared/incident';
import { kindShort, plainWhatHappened } from '../../functions/shared/notifications/kind-words';
import { Kind, Verdict } from '../../functions/shared/vocabulary';
import type { SweepDrift, SweepResult } from '../../functions/sweep/result';
import { readServeToken, ServeTokenMissingError } from '../../local/http/serve-token';
import { DATA_DIR_ENV, resolveDataDir } from '../../local/dynamodb/local-audit-data';
import { STACK_REGION } from '../decide/aws';
import { DEFAULT_LOCAL_URL, localOption, localServerUrl } from '../local-option';
import { wrap } from '../terminal/text';

/** The environment variable that names the deployed sweep function (the stack's SweepFunctionName output). */
export const SWEEP_FUNCTION_ENV = 'SCP_GUARDIAN_SWEEP_FUNCTION';

/** A problem the command explains in one line: bad options, no credentials, no server. */
export class ReconcileCommandError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReconcileCommandError';
  }
}

export interface ReconcileOptions {
  dryRun?: boolean;
  /** `--local [url]`: the URL given, or true for the server's default address. */
  local?: string | true;
  dataDir?: string;
  json?: boolean;
  function?: string;
  region: string;
  wide?: boolean;
}

/** What the command talks to; tests replace the Lambda client. */
export interface ReconcileEnvironment {
  env: NodeJS.ProcessEnv;
  lambda: (region: string) => LambdaClient;
}

/** Long enough for the sweep function's own timeout; one attempt, since a retried Invoke would sweep twice. */
const defaultLambda = (region: string) =>
  new LambdaClient({ region, maxAttempts: 1, requestHandler: { connectionTimeout: 5_000, requestTimeout: (FUNCTION_TIMEOUT_SECONDS.sweep + 30) * 1000 } });

/**
 * Against AWS the command invokes the deployed sweep function and waits for its answer, so the
 * deployed rules, role and code decide, and the caller needs only lambda:InvokeFunction on it.
 * With `--dry-run` the function reads only: it computes the drift, writes and starts nothing.
 */
async function reconcileOnAws(functionName: string, dryRun: boolean, lambda: LambdaClient): Promise<SweepResult> {
  let answer;
  try {
    answer = await lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'RequestResponse', Payload: Buffer.from(JSON.stringify({ dryRun })) }));
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'ResourceNotFoundException') throw new ReconcileCommandError(`no function ${functionName} in this account and region: give the stack's SweepFunctionName output with --function`, { cause: error });
    if (name === 'CredentialsProviderError' || name === 'ExpiredTokenException' || name === 'UnrecognizedClientException') {
      throw new ReconcileCommandError(`no usable AWS credentials (${describeError(error)}): set AWS_PROFILE, run aws sso login, or export credentials`, { cause: error });
    }
    throw new ReconcileCommandError(describeError(error), { cause: error });
  }
  const text = Buffer.from(answer.Payload ?? new Uint8Array()).toString('utf8');
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    throw new ReconcileCommandError(`${functionName} answered something that is not JSON: ${text.slice(0, 200)}`);
  }
  if (answer.FunctionError !== undefined) {
    const failure = payload as { errorType?: string; errorMessage?: string };
    throw new ReconcileCommandError(`the sweep failed: ${failure.errorType ?? answer.FunctionError}: ${failure.errorMessage ?? text.slice(0, 200)}`);
  }
  return payload as SweepResult;
}

/** POST /reconcile on a running `local --serve`, with the token from its data folder. */
async function reconcileOnLocal(url: string, dataDir: string, dryRun: boolean): Promise<SweepResult> {
  let base: URL;
  try {
    base = new URL(url);
  } catch {
    throw new ReconcileCommandError(`--local: ${JSON.stringify(url)} is not a URL (e.g. http://127.0.0.1:8787)`);
  }
  let token: string;
  try {
    token = readServeToken(dataDir);
  } catch (error) {
    if (error instanceof ServeTokenMissingError) throw new ReconcileCommandError(error.message, { cause: error });
    throw error;
  }
  let response: Response;
  try {
    response = await fetch(new URL('reconcile', base.href.endsWith('/') ? base : `${base.href}/`), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ dryRun }),
      signal: AbortSignal.timeout((FUNCTION_TIMEOUT_SECONDS.sweep + 30) * 1000),
    });
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message ?? describeError(error);
    throw new ReconcileCommandError(`cannot reach scp-guardian local --serve at ${base.origin}: ${cause}`);
  }
  const body = (await response.json().catch(() => undefined)) as (SweepResult & { error?: string }) | undefined;
  if (response.status === 401) throw new ReconcileCommandError(`${base.origin} refused the token in ${dataDir}: that server was started with another data folder; give its --data-dir`);
  if (!response.ok || body === undefined) throw new ReconcileCommandError(`${base.origin} answered HTTP ${response.status}${body?.error === undefined ? '' : `: ${body.error}`}`);
  return body;
}

export async function runReconcile(options: ReconcileOptions, environment: ReconcileEnvironment): Promise<SweepResult> {
  const dryRun = options.dryRun === true;
  if (options.local !== undefined) return reconcileOnLocal(localServerUrl(options.local), resolveDataDir(options.dataDir, environment.env), dryRun);
  const functionName = options.function ?? (environment.env[SWEEP_FUNCTION_ENV] || undefined);
  if (functionName === undefined) {
    throw new ReconcileCommandError(`the sweep function is unknown: give --function NAME (the stack's SweepFunctionName output) or set ${SWEEP_FUNCTION_ENV}; for a local run give --local URL`);
  }
  return reconcileOnAws(functionName, dryRun, environment.lambda(options.region));
}

/** Columns joined by two spaces; past `width`, the last column goes to its own indented line. */
function row(columns: string[], width: number): string {
  const line = `  ${columns.join('  ')}`;
  if (line.length <= width || columns.length < 2) return line;
  return `${row(columns.slice(0, -1), width)}\n      ${columns[columns.length - 1]}`;
}

/** A drift's line names its status only when it is not what the heading says. */
const STATUS_TEXT: Record<string, string | undefined> = { started: undefined, 'dry-run': undefined, 'already-started': 'already started', 'not-started': 'NOT STARTED' };

/**
 * A drift of another kind than a missing pair, in the words the notices use ("SCPs found disabled
 * for the whole organization (the root r-a1b2)", "Account 333344445555 found moved out of OU
 * ou-... to OU ou-..."), from the ids the sweep's answer carries.
 */
function driftWords(drift: Pick<SweepDrift, 'driftOf' | 'policyId' | 'targetId'> & Partial<Pick<SweepDrift, 'disabledType' | 'move'>>): string {
  const id = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);
  const policyType = drift.disabledType?.policyType;
  const incident: Incident = {
    incidentId: '',
    kind: Kind.DRIFT,
    driftOf: drift.driftOf,
    verdict: Verdict.PROTECTED,
    reason: '',
    detectedAt: '',
    notify: false,
    actor: { type: 'Unknown', console: false },
    policy: { id: id(drift.policyId), ...(drift.driftOf === Kind.POLICY_TYPE_DISABLED && policyType !== undefined ? { type: policyType } : {}) },
    target: { id: id(drift.targetId) ?? drift.move?.accountId ?? drift.disabledType?.rootId },
    ...(drift.disabledType === undefined ? {} : { disabledType: drift.disabledType }),
    ...(drift.move === undefined ? {} : { move: drift.move }),
  };
  // An explained entry carries no move: the account alone, then.
  const words =
    drift.driftOf === Kind.ACCOUNT_MOVED && drift.move === undefined
      ? `Account ${incident.target.id ?? '(unknown account)'} found moved`
      : plainWhatHappened(incident, { policy: 'ids', target: 'ids' });
  const rootId = drift.disabledType?.rootId ?? id(drift.targetId);
  const kind = kindShort(Kind.DRIFT, drift.driftOf);
  return drift.driftOf === Kind.POLICY_TYPE_DISABLED && rootId !== undefined ? `${kind}  ${words} (the root ${rootId})` : `${kind}  ${words}`;
}

/** The desired state against the organization, for a terminal: one line per drift, then the warnings. */
export function formatReconcile(result: SweepResult, width = 80): string {
  const pad = (values: string[]) => Math.max(0, ...values.map((value) => value.length));
  const lines = [
    `Desired state against the organization${result.dryRun ? ' (dry run: nothing recorded or started)' : ''}:`,
    `  ${result.desiredPairs} desired pairs, ${result.changes.length} entries ${result.dryRun ? 'to record' : 'recorded'}; ${result.calls.total} calls in ${result.seconds.toFixed(1)} s`,
  ];
  // A missing pair prints as its policy and target; every other kind as what the sweep found, in words.
  const pairs = result.drift.filter((drift) => drift.driftOf === undefined);
  const others = result.drift.filter((drift) => drift.driftOf !== undefined);
  const started = result.dryRun ? 'dry run, none started' : 'incidents started';
  if (result.drift.length === 0) lines.push('No drift: every desired pair is attached or has an open incident.');
  if (pairs.length > 0) {
    lines.push(`Drift (${pairs.length}): desired, not attached, no open incident; ${started}:`);
    const [p, t] = [pad(pairs.map((d) => d.policyId)), pad(pairs.map((d) => d.targetId))];
    for (const drift of pairs) {
      const status = STATUS_TEXT[drift.status];
      lines.push(row([drift.policyId.padEnd(p), drift.targetId.padEnd(t), drift.incidentId, ...(status === undefined ? [] : [status])], width).trimEnd());
    }
  }
  if (others.length > 0) {
    lines.push(`Drift (${others.length}): protection weakened otherwise, no open incident; ${started}:`);
    for (const drift of others) {
      const status = STATUS_TEXT[drift.status];
      lines.push(...wrap(`${drift.incidentId}  ${driftWords(drift)}${status === undefined ? '' : ` (${status})`}`, width, '  ', '    '));
    }
  }
  const explainedPairs = result.explained.filter((pair) => pair.driftOf === undefined);
  const explainedOthers = result.explained.filter((pair) => pair.driftOf !== undefined);
  if (explainedPairs.length > 0) {
    lines.push(`Missing, an open incident restoring it (${explainedPairs.length}):`);
    for (const pair of explainedPairs) lines.push(row([pair.policyId, pair.targetId, pair.incidentId], width));
  }
  if (explainedOthers.length > 0) {
    lines.push(`Weakened otherwise, an open incident restoring it (${explainedOthers.length}):`);
    for (const pair of explainedOthers) lines.push(...wrap(`${pair.incidentId}  ${driftWords(pair)}`, width, '  ', '    '));
  }
  if (result.declaredNotAttached.length > 0) {
    lines.push(`Warning: declared, never seen attached (${result.declaredNotAttached.length}); never attached by the guard:`);
    for (const pair of result.declaredNotAttached) lines.push(row([pair.policyId, pair.targetId, `protect[${pair.rule}]`], width));
  }
  for (const warning of result.warnings) lines.push(...wrap(`Warning: ${warning}`, width, '', '  '));
  for (const note of result.notes) lines.push(...wrap(`Note: ${note}`, width, '', '  '));
  for (const error of result.errors) lines.push(...wrap(`Error: ${error}`, width, '', '  '));
  return lines.join('\n');
}

/** `scp-guardian reconcile [--dry-run] [--local URL] [--json]` (contract: docs/contracts.md, "The sweep"). */
export function reconcileCommand(environment: ReconcileEnvironment = { env: process.env, lambda: defaultLambda }): Command {
  return new Command('reconcile')
    .description('compare the organization with the desired state and start an incident for each drift (exit 1 when there is drift)')
    .option('--dry-run', 'compute the drift only: record nothing, start nothing')
    .addOption(localOption(`the server on ${DEFAULT_LOCAL_URL}`))
    .option('--data-dir <dir>', `with --local: the data folder the server was started with, which holds its token (default: $${DATA_DIR_ENV} or ./.scp-guardian)`)
    .option('--function <name>', `the deployed sweep function: the stack's SweepFunctionName output (default: $${SWEEP_FUNCTION_ENV})`)
    .option('--region <region>', 'the stack region', STACK_REGION)
    .option('--json', 'print the sweep result as JSON')
    .option('--wide', 'do not fit the lines to 80 columns')
    .action(async (options: ReconcileOptions) => {
      try {
        const result = await runReconcile(options, environment);
        process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatReconcile(result, options.wide ? Number.MAX_SAFE_INTEGER : 80)}\n`);
        if (result.drift.length > 0 || result.errors.length > 0) process.exitCode = 1;
      } catch (error) {
        if (!(error instanceof ReconcileCommandError)) throw error;
        process.stderr.write(`scp-guardian reconcile: ${error.message}\n`);
        process.exitCode = 1;
      }
    });
}
