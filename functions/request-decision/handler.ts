import { AuditStore } from '../shared/audit/audit-store';
import { defaultDocumentClient } from '../shared/clients/dynamodb';
import { defaultSnsClient } from '../shared/clients/sns';
import { DecisionStore } from '../shared/decisions/decision-store';
import { lambdaLog } from '../shared/log';
import { slackFromEnvironment } from '../shared/slack/slack-from-environment';
import { once, requireEnv, rulesFromEnvironment } from '../shared/runtime';
import {
  lateDecision,
  requestDecision,
  type LateDecisionInput,
  type RequestDecisionDependencies,
  type RequestDecisionInput,
  type WorkflowDecisionOutput,
} from './request-decision';

const dependencies = once((): Omit<RequestDecisionDependencies, 'log'> => {
  const tableName = requireEnv('TABLE_NAME');
  return {
    decisions: new DecisionStore(defaultDocumentClient(), tableName),
    audit: new AuditStore(defaultDocumentClient(), tableName),
    sns: defaultSnsClient(),
    topicArn: requireEnv('TOPIC_ARN'),
    slack: slackFromEnvironment(rulesFromEnvironment()),
    overrides: rulesFromEnvironment().overrides,
  };
});

/**
 * RequestDecision (.waitForTaskToken): the workflow waits until someone decides or time runs
 * out. CheckForLateDecision (`phase: "timed-out"`): a decision recorded in time that never
 * reached the workflow.
 */
export async function handler(input: RequestDecisionInput | LateDecisionInput): Promise<{ decisionId: string; deadline: string } | WorkflowDecisionOutput> {
  if ('phase' in input && input.phase === 'timed-out') return lateDecision(input, dependencies());
  return requestDecision(input as RequestDecisionInput, { ...dependencies(), log: lambdaLog(input.incident.incidentId) });
}
