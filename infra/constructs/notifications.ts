import { Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic, SubscriptionFilter } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { SELF_TEST_ATTRIBUTE } from '../../functions/shared/self-test';
import { Construct } from 'constructs';

export interface NotificationsProps {
  /**
   * Addresses subscribed to the topic by email (each must confirm the subscription).
   * @default no email subscription
   */
  readonly emails?: readonly string[];
  /**
   * The topic's display name, the sender name of its emails.
   * @default 'scp-guardian'
   */
  readonly displayName?: string;
}

/** Services that will publish to the topic (alarms, EventBridge rules) and so need the key. */
const PUBLISHING_SERVICES = ['cloudwatch.amazonaws.com', 'events.amazonaws.com'];

/** The SNS topic for incident notices, encrypted with its own rotating KMS key. */
export class Notifications extends Construct {
  public readonly key: Key;
  public readonly topic: Topic;

  constructor(scope: Construct, id: string, props: NotificationsProps = {}) {
    const emails = props.emails ?? [];
    const bad = emails.filter((email, i) => !/^[^@\s]+@[^@\s]+$/.test(email) || emails.indexOf(email) !== i);
    if (bad.length > 0) throw new Error(`Notifications: emails must be distinct email addresses, got ${bad.map((e) => JSON.stringify(e)).join(', ')}`);
    super(scope, id);

    this.key = new Key(this, 'TopicKey', {
      description: 'scp-guardian: encrypts the notification topic',
      enableKeyRotation: true,
    });
    // CloudWatch alarms and EventBridge rules publish through SNS, which must encrypt with this
    // key on their behalf; limited to this account's alarms and rules (confused deputy).
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowAlarmsAndRulesOfThisAccountToPublish',
        principals: PUBLISHING_SERVICES.map((service) => new ServicePrincipal(service)),
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );

    this.topic = new Topic(this, 'Topic', {
      displayName: props.displayName ?? 'scp-guardian',
      masterKey: this.key,
      enforceSSL: true,
    });
    for (const email of emails) {
      // People get incidents; the daily self-test's notice proves delivery and goes nowhere.
      const subscription = new EmailSubscription(email, { filterPolicy: { [SELF_TEST_ATTRIBUTE]: SubscriptionFilter.notExistsFilter() } });
      Validations.of(this.topic.addSubscription(subscription)).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason: `Email subscription (${email}): SNS retries email delivery itself, and every notice is also in Slack and in the audit trail, so a dead-letter queue would only hold copies nobody reads; the topic's NumberOfNotificationsFailed metric shows failed deliveries.`,
      });
    }
  }
}
