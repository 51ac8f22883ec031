import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { describeError, NotificationFailedError } from '../errors';
import { emailBody, emailSubject, messageAttributes } from './email';
import type { Notice } from './notice';

/** Publishes the notice to the topic; throws NotificationFailed so the workflow retries it. */
export async function publishNotice(sns: SNSClient, topicArn: string, notice: Notice): Promise<string> {
  try {
    const answer = await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: emailSubject(notice),
        Message: emailBody(notice),
        MessageAttributes: messageAttributes(notice),
      }),
    );
    return answer.MessageId ?? '';
  } catch (error) {
    throw new NotificationFailedError(`SNS Publish to ${topicArn} failed: ${describeError(error)}`, { cause: error });
  }
}
