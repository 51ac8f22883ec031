import { AuditStore } from '../shared/audit/audit-store';
import { defaultDocumentClient } from '../shared/clients/dynamodb';
import { defaultSnsClient } from '../shared/clients/sns';
import { DecisionStore } from '../shared/decisions/decision-store';
import { lambdaHandler } from '../shared/lambda-handler';
import { lambdaLog, type Log } from '../shared/log';
import { slackFromEnvironment } from '../shared/slack/slack-from-environment';
import { requireEnv, rulesFromEnvironment } from '../shared/runtime';
import {
  lateDecision,
  requestDecision,
  type LateDecisionInput,
  type RequestDecisionDependencies,
  type RequestDecisionInput,
  type WorkflowDecisionOutput,
} from './request-decision';

export type RequestDecisionHandlerDependencies = Omit<RequestDecisionDependencies, 'log'> & { log?: (incidentId: string) => Log };

/**
 * RequestDecision (.waitForTaskToken): the workflow waits until someone decides or time runs
 * out. CheckForLateDecision (`phase: "timed-out"`): a decision recorded in time that never
 * reached the workflow.
 */
export function createRequestDecisionHandler(deps: RequestDecisionHandlerDependencies) {
  return async (input: RequestDecisionInput | LateDecisionInput): Promise<{ decisionId: string; deadline: string } | WorkflowDecisionOutput> => {
    if ('phase' in input && input.phase === 'timed-out') return lateDecision(input, deps);
    return requestDecision(input as RequestDecisionInput, { ...deps, log: (deps.log ?? lambdaLog)(input.incident.incidentId) });
  };
}

export const handler = lambdaHandler(() => {
  const tableName = requireEnv('TABLE_NAME');
  return createRequestDecisionHandler({
    decisions: new DecisionStore(defaultDocumentClient(), tableName),
    audit: new AuditStore(defaultDocumentClient(), tableName),
    sns: defaultSnsClient(),
    topicArn: requireEnv('TOPIC_ARN'),
    slack: slackFromEnvironment(rulesFromEnvironment()),
    overrides: rulesFromEnvironment().overrides,
  });
});
