import './polyfills';
import { StateMachine } from 'aws-local-stepfunctions';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ErrorName } from '../../functions/shared/errors';
import { ASL_FILE, FUNCTION_TIMEOUT_SECONDS, WORKFLOW_FUNCTIONS, type WorkflowFunctionName } from '../../functions/shared/workflow-functions';
import { definitionText, type DefinitionRules } from '../../statemachine/definition';
import { TaskTokenBroker } from '../stand-ins/step-functions/task-tokens';
import { SDK_INTEGRATION_PREFIX, type SdkIntegration } from './sdk-integrations';

export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_STATE_MACHINE_ARN = `arn:aws:states:us-east-1:${LOCAL_ACCOUNT}:stateMachine:scp-guardian-local`;

/** The ARN of the local execution named `name`, known before it starts. */
export function localExecutionArn(name: string): string {
  return `${LOCAL_STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${name}`;
}
const localFunctionArn = (name: string) => `arn:aws:lambda:us-east-1:${LOCAL_ACCOUNT}:function:scp-guardian-${name}`;
const WAIT_FOR_TASK_TOKEN = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

export type LocalHandler = (input: never) => Promise<unknown>;
export type LocalHandlers = Record<WorkflowFunctionName, LocalHandler>;

/** The ASL file with its placeholders filled and, given the rules, its execution timeout, exactly as the CDK does it. */
export function loadDefinition(
  root = join(__dirname, '..', '..'),
  rules?: DefinitionRules,
): { definition: Record<string, unknown>; substitutions: Record<string, string> } {
  const text = definitionText(root, rules);
  const substitutions = Object.fromEntries(Object.entries(WORKFLOW_FUNCTIONS).map(([key, name]) => [key, localFunctionArn(name)]));
  const filled = text.replace(/\$\{(\w+)\}/g, (match, key: string) => {
    const value = substitutions[key];
    if (value === undefined) throw new Error(`${ASL_FILE}: no substitution for ${match}`);
    return value;
  });
  return { definition: JSON.parse(filled) as Record<string, unknown>, substitutions };
}

interface TaskState {
  Type: 'Task';
  Resource: string;
  Parameters?: { FunctionName?: string; Payload?: Record<string, unknown> };
  TimeoutSecondsPath?: string;
}
type AnyState = { Type: string; Branches?: { States: Record<string, AnyState> }[] } & Partial<TaskState>;

/** Every Task state, Parallel branches included, by name. */
function taskStates(states: Record<string, AnyState>, into = new Map<string, TaskState>()): Map<string, TaskState> {
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === 'Task') into.set(name, state as TaskState);
    for (const branch of state.Branches ?? []) taskStates(branch.States, into);
  }
  return into;
}

/**
 * Step Functions resolves TimeoutSecondsPath against the state's input; aws-local-stepfunctions
 * resolves it against the Parameters' output. For a Lambda task whose Payload passes the same
 * field through unchanged ("incident.$": "$.incident"), the path under Payload is the same
 * value, so the local copy of the definition points there. Anything else is refused.
 */
function adaptTimeoutPaths(tasks: Map<string, TaskState>): void {
  for (const [name, task] of tasks) {
    if (task.TimeoutSecondsPath === undefined || task.Parameters === undefined) continue;
    const field = /^\$\.(\w+)/.exec(task.TimeoutSecondsPath)?.[1];
    if (field === undefined || task.Parameters.Payload?.[`${field}.$`] !== `$.${field}`) {
      throw new Error(`${name}: TimeoutSecondsPath ${task.TimeoutSecondsPath} cannot be run locally: its Payload must pass "${field}.$": "$.${field}"`);
    }
    task.TimeoutSecondsPath = task.TimeoutSecondsPath.replace(/^\$/, '$.Payload');
  }
}

/** What Lambda answers when a function runs past its timeout. */
class FunctionTimedOutError extends Error {
  constructor(name: string, seconds: number) {
    super(`${name}: Task timed out after ${seconds.toFixed(2)} seconds`);
    this.name = ErrorName.LAMBDA_TIMED_OUT;
  }
}

/**
 * Runs a handler as Lambda would: past the function's timeout the invocation fails with
 * Sandbox.Timedout (the handler's work goes on in the background, as a frozen sandbox's would
 * be abandoned), so the ASL's Retry and Catch meet what AWS sends.
 */
async function withFunctionTimeout<T>(name: WorkflowFunctionName, timeoutMs: number, run: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const work = run();
  work.catch(() => undefined);
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new FunctionTimedOutError(name, timeoutMs / 1000)), timeoutMs)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** A Lambda error as Step Functions reports it: the error's name, and a JSON cause. */
class LambdaFunctionError extends Error {
  constructor(error: unknown) {
    const e = error instanceof Error ? error : new Error(String(error));
    super(JSON.stringify({ errorType: e.name, errorMessage: e.message, trace: (e.stack ?? '').split('\n').slice(0, 5) }));
    this.name = e.name;
  }
}

/** What a task waiting for its token fails with when the local workflow is stopped. */
export class LocalWorkflowStoppedError extends Error {
  constructor() {
    super('the local workflow was stopped while this task waited for its token');
    this.name = 'LocalWorkflowStoppedError';
  }
}

export interface ExecutionRecord {
  executionArn: string;
  status: 'SUCCEEDED' | 'FAILED';
  output?: unknown;
  error?: string;
  cause?: string;
  /** Every state entered, in order (a retried state once per attempt's entry). */
  statesEntered: string[];
  stateTransitions: number;
  lambdaInvocations: number;
  retries: number;
  /** The retries by state name. */
  retriesByState: Record<string, number>;
  startedAt: string;
  stoppedAt: string;
  /** A failed execution's state data when it last moved between top-level states (what the Fail state saw). */
  lastState?: unknown;
  /**
   * On the way to the first AttachPolicy (the first entry of an attach state): the states entered
   * and the Lambda invocations, that state's own included, leaving out the opening notice that runs
   * beside the restoration. Absent when the execution never attached.
   */
  beforeFirstAttach?: { stateTransitions: number; lambdaInvocations: number };
}

/** The states that make the AttachPolicy call of a reattachment. */
export const ATTACH_STATES: ReadonlySet<string> = new Set(['AttachPolicy', 'ReattachPolicy', 'ReattachUnadmitted']);

/** States of Parallel branches that hold no attach state: they run beside the way to AttachPolicy, not on it. */
function besideTheAttachPath(states: Record<string, AnyState>, into = new Set<string>()): Set<string> {
  for (const state of Object.values(states)) {
    for (const branch of state.Branches ?? []) {
      const names = Object.keys(branch.States);
      if (!names.some((name) => ATTACH_STATES.has(name))) for (const name of names) into.add(name);
      besideTheAttachPath(branch.States, into);
    }
  }
  return into;
}

export interface LocalWorkflowOptions {
  handlers: LocalHandlers;
  /** The AWS SDK integrations the ASL's direct Task states call, by resource (sdk-integrations.ts). */
  integrations: Record<string, SdkIntegration>;
  broker: TaskTokenBroker;
  /** Milliseconds to wait before each retry of the named states, instead of the ASL's backoff. */
  retryIntervalOverrides?: Record<string, number>;
  /** Milliseconds the named Wait states wait, instead of the ASL's seconds. */
  waitTimeOverrides?: Record<string, number>;
  /** The rules: their approval window sets the execution timeout, as in AWS. */
  rules?: DefinitionRules;
  /** Each function's timeout in milliseconds, instead of FUNCTION_TIMEOUT_SECONDS (tests shorten them). */
  functionTimeoutsMs?: Partial<Record<WorkflowFunctionName, number>>;
  /** Seconds the named direct Task states may take, instead of the ASL's TimeoutSeconds (DynamoDB Local is slower than DynamoDB). */
  taskTimeoutsSeconds?: Record<string, number>;
  root?: string;
}

/**
 * The ASL in statemachine/ executed by aws-local-stepfunctions, with each Lambda task mapped
 * to the real handler code in-process and `.waitForTaskToken` served by a local token broker.
 */
export class LocalWorkflow {
  private readonly machine: StateMachine;
  private readonly definition: Record<string, unknown>;
  private readonly tasks: Map<string, TaskState>;
  private readonly functionsByArn: Map<string, WorkflowFunctionName>;

  /** Aborted by `stop`: every execution still running stops, as StopExecution stops it. */
  private readonly stopping = new AbortController();
  /** The records of the executions still running, for `stop` to wait for. */
  private readonly running = new Set<Promise<ExecutionRecord>>();

  constructor(private readonly options: LocalWorkflowOptions) {
    const { definition, substitutions } = loadDefinition(options.root, options.rules);
    this.tasks = taskStates((definition as { States: Record<string, AnyState> }).States);
    adaptTimeoutPaths(this.tasks);
    for (const [name, seconds] of Object.entries(options.taskTimeoutsSeconds ?? {})) {
      const task = this.tasks.get(name) as (TaskState & { TimeoutSeconds?: number }) | undefined;
      if (task?.TimeoutSeconds === undefined) throw new Error(`taskTimeoutsSeconds: ${name} is no Task state with a TimeoutSeconds`);
      task.TimeoutSeconds = seconds;
    }
    this.definition = definition;
    this.machine = new StateMachine(definition as unknown as ConstructorParameters<typeof StateMachine>[0]);
    this.functionsByArn = new Map(
      Object.entries(substitutions).map(([key, arn]) => [arn, WORKFLOW_FUNCTIONS[key as keyof typeof WORKFLOW_FUNCTIONS]]),
    );
  }

  private readonly lambdaErrors = new Map<WorkflowFunctionName, string[]>();

  /**
   * The next invocations of a function fail with these errors before its handler runs, as the
   * Lambda service fails them (`Lambda.TooManyRequestsException`, `Lambda.ServiceException`, ...),
   * or as a handler that crashes would (any other name).
   */
  scriptLambdaErrors(name: WorkflowFunctionName, errors: readonly string[]): void {
    this.lambdaErrors.set(name, [...(this.lambdaErrors.get(name) ?? []), ...errors]);
  }

  private readonly integrationErrors = new Map<string, string[]>();

  /**
   * The next calls of a direct SDK integration (`dynamodb:transactWriteItems`,
   * `organizations:attachPolicy`) fail with these errors before the call is made, named as Step
   * Functions names them (`DynamoDb.InternalServerErrorException`, `States.Timeout`, ...); an
   * error written `after:<name>` fails the call after it was made (a write that committed, then
   * timed out).
   */
  scriptIntegrationErrors(integration: string, errors: readonly string[]): void {
    const resource = `${SDK_INTEGRATION_PREFIX}${integration}`;
    this.integrationErrors.set(resource, [...(this.integrationErrors.get(resource) ?? []), ...errors]);
  }

  /** The handler behind a function ARN, bounded by that function's timeout. */
  private handlerFor(arn: string | undefined): LocalHandler {
    const name = arn === undefined ? undefined : this.functionsByArn.get(arn);
    if (name === undefined) throw new Error(`no local handler for resource ${arn}`);
    const handler = this.options.handlers[name] as (payload: unknown) => Promise<unknown>;
    const timeoutMs = this.options.functionTimeoutsMs?.[name] ?? FUNCTION_TIMEOUT_SECONDS[name] * 1000;
    return (async (payload: unknown) => {
      const scripted = this.lambdaErrors.get(name)?.shift();
      if (scripted !== undefined) throw Object.assign(new Error(`${scripted} (scripted for ${name})`), { name: scripted });
      return withFunctionTimeout(name, timeoutMs, () => handler(payload));
    }) as LocalHandler;
  }

  /** Starts one execution; `result` settles when it stops. */
  start(input: unknown, executionName: string = randomUUID()): { executionArn: string; result: Promise<ExecutionRecord> } {
    const executionArn = localExecutionArn(executionName);
    // Each attempt of a waiting task gets a token of its own, as in AWS: a retried
    // RequestDecision stores the new one, and the old one can no longer resume anything.
    let token = TaskTokenBroker.newToken();
    const counters = { lambdaInvocations: 0 };
    const overrides: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [stateName, task] of this.tasks) {
      if (task.Resource?.startsWith(SDK_INTEGRATION_PREFIX) === true) {
        const resource = task.Resource;
        const integration = this.options.integrations[resource];
        if (integration === undefined) throw new Error(`${stateName}: no local integration for resource ${resource}`);
        overrides[stateName] = async (parameters) => {
          const scripted = this.integrationErrors.get(resource)?.shift();
          if (scripted === undefined) return integration(parameters);
          const name = scripted.replace(/^after:/, '');
          if (name !== scripted) await integration(parameters);
          throw Object.assign(new Error(`${name} (scripted for ${stateName})`), { name });
        };
      } else if (task.Resource === WAIT_FOR_TASK_TOKEN) {
        const handler = this.handlerFor(task.Parameters?.FunctionName);
        overrides[stateName] = async (taskInput) => {
          counters.lambdaInvocations++;
          const payload = (taskInput as { Payload: Record<string, unknown> }).Payload;
          if (this.options.broker.isKnown(token)) token = TaskTokenBroker.newToken();
          const attemptToken = token;
          const answer = this.options.broker.register(attemptToken);
          answer.catch(() => undefined);
          try {
            await (handler as (payload: unknown) => Promise<unknown>)(payload.taskToken === undefined ? payload : { ...payload, taskToken: attemptToken });
          } catch (error) {
            this.options.broker.expire(attemptToken);
            throw new LambdaFunctionError(error);
          }
          return this.unlessStopped(answer);
        };
      } else {
        const handler = this.handlerFor(task.Resource);
        overrides[stateName] = async (taskInput) => {
          counters.lambdaInvocations++;
          try {
            return await (handler as (payload: unknown) => Promise<unknown>)(taskInput);
          } catch (error) {
            throw new LambdaFunctionError(error);
          }
        };
      }
    }

    const startedAt = new Date().toISOString();
    const execution = this.machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: overrides as never, retryIntervalOverrides: this.options.retryIntervalOverrides, waitTimeOverrides: this.options.waitTimeOverrides },
      context: {
        Execution: { Id: executionArn, Name: executionName, StartTime: startedAt, Input: input as never, RoleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/local` },
        StateMachine: { Id: LOCAL_STATE_MACHINE_ARN, Name: 'scp-guardian-local' },
        Task: { Token: token },
      },
    });

    // The engine's abort settles `result` at once; the state running then still ends on its own
    // (a waiting task: by unlessStopped), and with it the engine's execution and task timers.
    const abort = () => execution.abort();
    if (this.stopping.signal.aborted) abort();
    else this.stopping.signal.addEventListener('abort', abort, { once: true });

    const statesEntered: string[] = [];
    const retriesByState: Record<string, number> = {};
    let lastState: unknown;
    const topLevel = new Set(Object.keys((this.definition as { States: Record<string, unknown> }).States));
    const beside = besideTheAttachPath((this.definition as { States: Record<string, AnyState> }).States);
    const isLambda = (name: string) => {
      const resource = this.tasks.get(name)?.Resource;
      return resource === WAIT_FOR_TASK_TOKEN || (resource !== undefined && this.functionsByArn.has(resource));
    };
    const onTheWay = { stateTransitions: 0, lambdaInvocations: 0 };
    let beforeFirstAttach: ExecutionRecord['beforeFirstAttach'];
    const logs = (async () => {
      for await (const event of execution.eventLogs) {
        if (event.type === 'StateEntered') statesEntered.push(event.state.name);
        if (beforeFirstAttach === undefined && (event.type === 'StateEntered' || event.type === 'StateRetried') && !beside.has(event.state.name)) {
          if (event.type === 'StateEntered') onTheWay.stateTransitions++;
          if (isLambda(event.state.name)) onTheWay.lambdaInvocations++;
          if (event.type === 'StateEntered' && ATTACH_STATES.has(event.state.name)) beforeFirstAttach = { ...onTheWay };
        }
        if (event.type === 'StateExited' && topLevel.has(event.state.name)) lastState = event.state.output;
        if (event.type === 'StateRetried') retriesByState[event.state.name] = (retriesByState[event.state.name] ?? 0) + 1;
        if ((event.type === 'StateExited' || event.type === 'StateFailed' || event.type === 'StateCaught') && this.tasks.get(event.state.name)?.Resource === WAIT_FOR_TASK_TOKEN) {
          this.options.broker.expire(token);
        }
      }
    })();

    const result = (async (): Promise<ExecutionRecord> => {
      const base = () => ({
        executionArn,
        statesEntered,
        stateTransitions: statesEntered.length,
        lambdaInvocations: counters.lambdaInvocations,
        retries: Object.values(retriesByState).reduce((sum, n) => sum + n, 0),
        retriesByState,
        startedAt,
        stoppedAt: new Date().toISOString(),
        ...(beforeFirstAttach === undefined ? {} : { beforeFirstAttach }),
      });
      try {
        const output = await execution.result;
        await logs;
        return { ...base(), status: 'SUCCEEDED', output };
      } catch (error) {
        await logs.catch(() => undefined);
        // The engine wraps the state's error (a Fail state's Error and Cause) in an ExecutionError.
        const e = error instanceof Error && error.cause instanceof Error ? error.cause : (error as Error);
        return { ...base(), status: 'FAILED', error: e.name, cause: e.message, lastState };
      } finally {
        this.options.broker.expire(token);
        this.stopping.signal.removeEventListener('abort', abort);
      }
    })();
    this.running.add(result);
    void result.finally(() => this.running.delete(result));
    return { executionArn, result };
  }

  /**
   * Stops every execution still running (and any started later): a task waiting for its token
   * fails at once instead of holding its timeout, up to the approval window, and the execution's
   * own timeout, for hours. Resolves when their records are in.
   */
  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled([...this.running]);
  }

  /** A waiting task's answer, or its failure when the workflow is stopped first. */
  private unlessStopped<T>(answer: Promise<T>): Promise<T> {
    const { signal } = this.stopping;
    if (signal.aborted) return Promise.reject(new LocalWorkflowStoppedError());
    let onStop = () => {};
    const stopped = new Promise<never>((_, reject) => {
      onStop = () => reject(new LocalWorkflowStoppedError());
      signal.addEventListener('abort', onStop, { once: true });
    });
    return Promise.race([answer, stopped]).finally(() => signal.removeEventListener('abort', onStop));
  }
}
