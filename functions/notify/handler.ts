import { AuditStore } from '../shared/audit/audit-store';
import { defaultDocumentClient } from '../shared/clients/dynamodb';
import { defaultSnsClient } from '../shared/clients/sns';
import { cloudWatchMetricSink } from '../shared/incident-metrics';
import { lambdaLog } from '../shared/log';
import { slackFromEnvironment } from '../shared/slack/slack-from-environment';
import { once, requireEnv, rulesFromEnvironment } from '../shared/runtime';
import { notify, type NotifyDependencies, type NotifyInput, type NotifyResult } from './notify';

const dependencies = once(
  (): Omit<NotifyDependencies, 'log'> => ({
    sns: defaultSnsClient(),
    topicArn: requireEnv('TOPIC_ARN'),
    audit: new AuditStore(defaultDocumentClient(), requireEnv('TABLE_NAME')),
    slack: slackFromEnvironment(rulesFromEnvironment()),
    metrics: cloudWatchMetricSink(),
  }),
);

/** NotifyDetected / NotifyOutcome: email through SNS, and Slack (through the Slack function) when configured. */
export async function handler(input: NotifyInput): Promise<NotifyResult> {
  return notify(input, { ...dependencies(), log: lambdaLog(input.incident.incidentId) });
}
