import { AuditStore } from '../shared/audit/audit-store';
import { DecisionStore } from '../shared/decisions/decision-store';
import { lambdaLog } from '../shared/log';
import { slackFromEnvironment } from '../shared/notifications/slack-from-environment';
import { requireEnv, rulesFromEnvironment } from '../shared/runtime';
import { defaultDocumentClient } from '../shared/clients/dynamodb';
import { defaultSnsClient } from '../shared/clients/sns';
import { requestDecision, type RequestDecisionInput } from './request-decision';

/** RequestDecision (.waitForTaskToken): the workflow waits until someone decides or time runs out. */
export async function handler(input: RequestDecisionInput): Promise<{ decisionId: string; deadline: string }> {
  const log = lambdaLog(input.incident.incidentId);
  let slack;
  try {
    slack = await slackFromEnvironment(rulesFromEnvironment());
  } catch (error) {
    log.error('cannot read the Slack bot token', { error: (error as Error).message });
  }
  const tableName = requireEnv('TABLE_NAME');
  return requestDecision(input, {
    decisions: new DecisionStore(defaultDocumentClient(), tableName),
    audit: new AuditStore(defaultDocumentClient(), tableName),
    sns: defaultSnsClient(),
    topicArn: requireEnv('TOPIC_ARN'),
    slack,
    log,
  });
}
