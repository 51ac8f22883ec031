import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic, SubscriptionFilter } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { CANARY_ATTRIBUTE } from '../../functions/shared/canary';
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

/** CloudWatch publishes the stack's alarms; no EventBridge rule targets the topic, so EventBridge gets nothing. */
const ALARMS = new ServicePrincipal('cloudwatch.amazonaws.com');

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
    this.topic = new Topic(this, 'Topic', {
      displayName: props.displayName ?? 'scp-guardian',
      masterKey: this.key,
      enforceSSL: true,
    });

    // A topic policy replaces SNS's default one, and enforceSSL's TLS Deny would be the only
    // statement left: alarms then fail with "not authorized to perform: SNS:Publish ... because
    // no resource-based policy allows" (aws-solutions/automated-security-response-on-aws#43).
    // CloudWatch publishes as its service principal, so the topic must allow it and the key must
    // let SNS encrypt for it; both only for this account's alarms in this region (confused deputy).
    // The Lambda publishers need neither: topic.grantPublish gives their roles both.
    const stack = Stack.of(this);
    const alarmsOfThisAccount = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
    };
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowAlarmsOfThisAccountToPublish',
        principals: [ALARMS],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: alarmsOfThisAccount,
      }),
    );
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowAlarmsOfThisAccountToUseTheKey',
        principals: [ALARMS],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: alarmsOfThisAccount,
      }),
    );
    for (const email of emails) {
      // People get incidents; the daily self-test's notice proves delivery and goes nowhere, and
      // so do the canary's routine notices (a canary that did not come back carries no mark).
      const subscription = new EmailSubscription(email, {
        filterPolicy: { [SELF_TEST_ATTRIBUTE]: SubscriptionFilter.notExistsFilter(), [CANARY_ATTRIBUTE]: SubscriptionFilter.notExistsFilter() },
      });
      Validations.of(this.topic.addSubscription(subscription)).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason: `Email subscription (${email}): SNS retries email delivery itself, and every notice is also in Slack and in the audit trail, so a dead-letter queue would only hold copies nobody reads; the topic's NumberOfNotificationsFailed metric shows failed deliveries.`,
      });
    }
  }
}
