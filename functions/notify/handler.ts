import { AuditStore } from '../shared/audit/audit-store';
import { lambdaLog } from '../shared/log';
import { slackFromEnvironment } from '../shared/notifications/slack-from-environment';
import { requireEnv, rulesFromEnvironment } from '../shared/runtime';
import { defaultDocumentClient } from '../shared/clients/dynamodb';
import { defaultSnsClient } from '../shared/clients/sns';
import { notify, type NotifyInput, type NotifyResult } from './notify';

/** NotifyDetected / NotifyOutcome: email through SNS, and Slack when configured. */
export async function handler(input: NotifyInput): Promise<NotifyResult> {
  const log = lambdaLog(input.incident.incidentId);
  let slack;
  try {
    slack = await slackFromEnvironment(rulesFromEnvironment());
  } catch (error) {
    // Without the token Slack is skipped; email still goes out and the failure is logged.
    log.error('cannot read the Slack bot token', { error: (error as Error).message });
  }
  return notify(input, {
    sns: defaultSnsClient(),
    topicArn: requireEnv('TOPIC_ARN'),
    audit: new AuditStore(defaultDocumentClient(), requireEnv('TABLE_NAME')),
    slack,
    log,
  });
}
