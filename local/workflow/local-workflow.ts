import '../polyfills';
import { StateMachine } from 'aws-local-stepfunctions';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ASL_FILE, WORKFLOW_FUNCTIONS, type WorkflowFunctionName } from '../../functions/shared/workflow-functions';
import { TaskTokenBroker } from './task-tokens';

export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_STATE_MACHINE_ARN = `arn:aws:states:us-east-1:${LOCAL_ACCOUNT}:stateMachine:scp-guardian-local`;
const localFunctionArn = (name: string) => `arn:aws:lambda:us-east-1:${LOCAL_ACCOUNT}:function:scp-guardian-${name}`;
const WAIT_FOR_TASK_TOKEN = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

export type LocalHandler = (input: never) => Promise<unknown>;
export type LocalHandlers = Record<WorkflowFunctionName, LocalHandler>;

/** The ASL file with its placeholders filled, exactly as the CDK does it. */
export function loadDefinition(root = join(__dirname, '..', '..')): { definition: Record<string, unknown>; substitutions: Record<string, string> } {
  const text = readFileSync(join(root, ASL_FILE), 'utf8');
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

/** A Lambda error as Step Functions reports it: the error's name, and a JSON cause. */
class LambdaFunctionError extends Error {
  constructor(error: unknown) {
    const e = error instanceof Error ? error : new Error(String(error));
    super(JSON.stringify({ errorType: e.name, errorMessage: e.message, trace: (e.stack ?? '').split('\n').slice(0, 5) }));
    this.name = e.name;
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
  startedAt: string;
  stoppedAt: string;
}

export interface LocalWorkflowOptions {
  handlers: LocalHandlers;
  broker: TaskTokenBroker;
  /** Milliseconds to wait before each retry of the named states, instead of the ASL's backoff. */
  retryIntervalOverrides?: Record<string, number>;
  root?: string;
}

/**
 * The ASL in statemachine/ executed by aws-local-stepfunctions, with each Lambda task mapped
 * to the real handler code in-process and `.waitForTaskToken` served by a local token broker.
 */
export class LocalWorkflow {
  private readonly machine: StateMachine;
  private readonly tasks: Map<string, TaskState>;
  private readonly functionsByArn: Map<string, WorkflowFunctionName>;

  constructor(private readonly options: LocalWorkflowOptions) {
    const { definition, substitutions } = loadDefinition(options.root);
    this.tasks = taskStates((definition as { States: Record<string, AnyState> }).States);
    adaptTimeoutPaths(this.tasks);
    this.machine = new StateMachine(definition as unknown as ConstructorParameters<typeof StateMachine>[0]);
    this.functionsByArn = new Map(
      Object.entries(substitutions).map(([key, arn]) => [arn, WORKFLOW_FUNCTIONS[key as keyof typeof WORKFLOW_FUNCTIONS]]),
    );
  }

  private handlerFor(arn: string | undefined): LocalHandler {
    const name = arn === undefined ? undefined : this.functionsByArn.get(arn);
    if (name === undefined) throw new Error(`no local handler for resource ${arn}`);
    return this.options.handlers[name];
  }

  /** Starts one execution; `result` settles when it stops. */
  start(input: unknown, executionName: string = randomUUID()): { executionArn: string; result: Promise<ExecutionRecord> } {
    const executionArn = `${LOCAL_STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${executionName}`;
    const token = TaskTokenBroker.newToken();
    const counters = { lambdaInvocations: 0 };
    const overrides: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [stateName, task] of this.tasks) {
      if (task.Resource === WAIT_FOR_TASK_TOKEN) {
        const handler = this.handlerFor(task.Parameters?.FunctionName);
        overrides[stateName] = async (taskInput) => {
          counters.lambdaInvocations++;
          const answer = this.options.broker.register(token);
          answer.catch(() => undefined);
          try {
            await (handler as (payload: unknown) => Promise<unknown>)((taskInput as { Payload: unknown }).Payload);
          } catch (error) {
            this.options.broker.expire(token);
            throw new LambdaFunctionError(error);
          }
          return answer;
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
      overrides: { taskResourceLocalHandlers: overrides as never, retryIntervalOverrides: this.options.retryIntervalOverrides },
      context: {
        Execution: { Id: executionArn, Name: executionName, StartTime: startedAt, Input: input as never, RoleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/local` },
        StateMachine: { Id: LOCAL_STATE_MACHINE_ARN, Name: 'scp-guardian-local' },
        Task: { Token: token },
      },
    });

    const statesEntered: string[] = [];
    let retries = 0;
    const logs = (async () => {
      for await (const event of execution.eventLogs) {
        if (event.type === 'StateEntered') statesEntered.push(event.state.name);
        if (event.type === 'StateRetried') retries++;
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
        retries,
        startedAt,
        stoppedAt: new Date().toISOString(),
      });
      try {
        const output = await execution.result;
        await logs;
        return { ...base(), status: 'SUCCEEDED', output };
      } catch (error) {
        await logs.catch(() => undefined);
        // The engine wraps the state's error (a Fail state's Error and Cause) in an ExecutionError.
        const e = error instanceof Error && error.cause instanceof Error ? error.cause : (error as Error);
        return { ...base(), status: 'FAILED', error: e.name, cause: e.message };
      } finally {
        this.options.broker.expire(token);
      }
    })();
    return { executionArn, result };
  }
}
