import { AuditStore } from '../shared/audit/audit-store';
import { defaultDocumentClient } from '../shared/clients/dynamodb';
import { defaultSnsClient } from '../shared/clients/sns';
import { DecisionStore } from '../shared/decisions/decision-store';
import { lambdaLog } from '../shared/log';
import { slackFromEnvironment } from '../shared/notifications/slack-from-environment';
import { requireEnv, rulesFromEnvironment } from '../shared/runtime';
import { requestDecision, type RequestDecisionInput } from './request-decision';

/** RequestDecision (.waitForTaskToken): the workflow waits until someone decides or time runs out. */
export async function handler(input: RequestDecisionInput): Promise<{ decisionId: string; deadline: string }> {
  const tableName = requireEnv('TABLE_NAME');
  return requestDecision(input, {
    decisions: new DecisionStore(defaultDocumentClient(), tableName),
    audit: new AuditStore(defaultDocumentClient(), tableName),
    sns: defaultSnsClient(),
    topicArn: requireEnv('TOPIC_ARN'),
    slack: slackFromEnvironment(rulesFromEnvironment()),
    log: lambdaLog(input.incident.incidentId),
  });
}
