import { retryBudget, type RetrierDefinition } from '../../../bench/retry-budget';
import { MAX_APPROVAL_MINUTES, MAX_DEADLINE_MINUTES } from '../../../config/schema';
import { FUNCTION_TIMEOUT_SECONDS, WORKFLOW_FUNCTIONS, type WorkflowFunctionName } from '../../../functions/shared/workflow-functions';
import { executionTimeoutSeconds, REMEDIATION_ALLOWANCE_SECONDS } from '../../../functions/sweep/execution-timeout';
import { loadDefinition } from '../../../local/workflow/local-workflow';
import { SDK_INTEGRATION_PREFIX } from '../../../local/workflow/sdk-integrations';
import { testRules } from '../../support/local-harness';
import { PROJECT_ROOT } from '../../../cli/project-root';

type State = { Type: string; Resource?: string; TimeoutSeconds?: number; Parameters?: { FunctionName?: string }; Retry?: RetrierDefinition[]; Branches?: { States: Record<string, State> }[] };

const root = PROJECT_ROOT;

function tasks(states: Record<string, State>): [string, State][] {
  return Object.entries(states).flatMap(([name, state]) => [
    ...(state.Type === 'Task' ? [[name, state] as [string, State]] : []),
    ...(state.Branches ?? []).flatMap((branch) => tasks(branch.States)),
  ]);
}

/**
 * The longest a Task state can take before its Catch: every retrier used up, every attempt at
 * its function's timeout (a direct SDK task's own TimeoutSeconds).
 */
function worstCaseSeconds(state: State, functionOf: Map<string, WorkflowFunctionName>): number {
  const budget = retryBudget(state.Retry ?? []);
  if (state.Resource?.startsWith(SDK_INTEGRATION_PREFIX) === true) {
    if (state.TimeoutSeconds === undefined) throw new Error(`${state.Resource} has no TimeoutSeconds`);
    return budget.worstCaseDelaySeconds + budget.attempts * state.TimeoutSeconds;
  }
  const arn = state.Parameters?.FunctionName ?? state.Resource ?? '';
  const fn = functionOf.get(arn);
  if (fn === undefined) throw new Error(`no function behind ${arn}`);
  return budget.worstCaseDelaySeconds + budget.attempts * FUNCTION_TIMEOUT_SECONDS[fn];
}

describe('the execution timeout', () => {
  it('outlasts the approval window plus the worst case of every task on the way, so only a stuck execution times out', () => {
    const rules = testRules();
    const { definition, substitutions } = loadDefinition(root, rules);
    const functionOf = new Map(Object.entries(substitutions).map(([key, arn]) => [arn, WORKFLOW_FUNCTIONS[key as keyof typeof WORKFLOW_FUNCTIONS]]));

    const worstCase = tasks((definition as { States: Record<string, State> }).States).reduce((sum, [, state]) => sum + worstCaseSeconds(state, functionOf), 0);

    expect(definition.TimeoutSeconds).toBe(executionTimeoutSeconds(rules));
    expect(REMEDIATION_ALLOWANCE_SECONDS).toBeGreaterThan(worstCase);
    expect(definition.TimeoutSeconds).toBeGreaterThan(rules.approval.timeoutMinutes * 60 + rules.remediation.deadlineMinutes * 60 + worstCase);
  });

  it.each([
    [5, 5],
    [60, 60],
    [MAX_APPROVAL_MINUTES, MAX_DEADLINE_MINUTES],
  ])('is how long the sweep holds an unclosed incident as still running (approval %i min, deadline %i min)', (timeoutMinutes, deadlineMinutes) => {
    const base = testRules();
    const rules = { ...base, approval: { ...base.approval, timeoutMinutes }, remediation: { ...base.remediation, deadlineMinutes } };

    const { definition } = loadDefinition(root, rules);

    expect(definition.TimeoutSeconds).toBe(executionTimeoutSeconds(rules));
  });

  it('is in the ASL file itself, long enough for the longest approval window and deadline the rules allow', () => {
    const { definition } = loadDefinition(root);

    expect(definition.TimeoutSeconds).toBeGreaterThanOrEqual(MAX_APPROVAL_MINUTES * 60 + MAX_DEADLINE_MINUTES * 60 + REMEDIATION_ALLOWANCE_SECONDS);
  });
});
