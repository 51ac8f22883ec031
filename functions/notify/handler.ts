import { AuditStore } from '../shared/audit/audit-store';
import { defaultDocumentClient } from '../shared/clients/dynamodb';
import { defaultSnsClient } from '../shared/clients/sns';
import { lambdaMetricSink } from '../shared/lambda-metrics';
import { lambdaHandler } from '../shared/lambda-handler';
import { lambdaLog, type Log } from '../shared/log';
import { slackFromEnvironment } from '../shared/slack/slack-from-environment';
import { requireEnv, rulesFromEnvironment } from '../shared/runtime';
import { notify, type NotifyDependencies, type NotifyInput, type NotifyResult } from './notify';

export type NotifyHandlerDependencies = Omit<NotifyDependencies, 'log'> & { log?: (incidentId: string) => Log };

/** NotifyDetected / NotifyOutcome: email through SNS, and Slack (through the Slack function) when configured. */
export function createNotifyHandler(deps: NotifyHandlerDependencies) {
  return (input: NotifyInput): Promise<NotifyResult> => notify(input, { ...deps, log: (deps.log ?? lambdaLog)(input.incident.incidentId) });
}

const metrics = lambdaMetricSink();
export const handler = lambdaHandler(
  () =>
    createNotifyHandler({
      sns: defaultSnsClient(),
      topicArn: requireEnv('TOPIC_ARN'),
      audit: new AuditStore(defaultDocumentClient(), requireEnv('TABLE_NAME')),
      slack: slackFromEnvironment(rulesFromEnvironment()),
      metrics,
    }),
);
