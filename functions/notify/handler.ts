import { AuditStore } from '../shared/audit/audit-store';
import { defaultDocumentClient } from '../shared/clients/dynamodb';
import { defaultSnsClient } from '../shared/clients/sns';
import { lambdaLog } from '../shared/log';
import { slackFromEnvironment } from '../shared/notifications/slack-from-environment';
import { requireEnv, rulesFromEnvironment } from '../shared/runtime';
import { notify, type NotifyInput, type NotifyResult } from './notify';

/** NotifyDetected / NotifyOutcome: email through SNS, and Slack (through the Slack function) when configured. */
export async function handler(input: NotifyInput): Promise<NotifyResult> {
  return notify(input, {
    sns: defaultSnsClient(),
    topicArn: requireEnv('TOPIC_ARN'),
    audit: new AuditStore(defaultDocumentClient(), requireEnv('TABLE_NAME')),
    slack: slackFromEnvironment(rulesFromEnvironment()),
    log: lambdaLog(input.incident.incidentId),
  });
}
