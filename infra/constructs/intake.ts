import { Duration, Validations } from 'aws-cdk-lib';
import { Match, Rule } from 'aws-cdk-lib/aws-events';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface IntakeProps {
  /** The remediation workflow each DetachPolicy event starts. */
  readonly stateMachine: IStateMachine;
  /**
   * How long EventBridge keeps retrying to start an execution (60 seconds to 24 hours).
   * @default Duration.hours(2)
   */
  readonly maxEventAge?: Duration;
  /**
   * How many times EventBridge retries to start an execution (0 to 185).
   * @default 8
   */
  readonly retryAttempts?: number;
}

/**
 * Successful DetachPolicy calls, as CloudTrail delivers them to the default bus in us-east-1,
 * start the workflow. Events that cannot be delivered land in an encrypted dead-letter queue.
 */
export class Intake extends Construct {
  public readonly rule: Rule;
  public readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: IntakeProps) {
    const maxEventAge = props.maxEventAge ?? Duration.hours(2);
    const retryAttempts = props.retryAttempts ?? 8;
    const ageSeconds = maxEventAge.toSeconds();
    if (ageSeconds < 60 || ageSeconds > 86_400 || !Number.isInteger(retryAttempts) || retryAttempts < 0 || retryAttempts > 185) {
      throw new Error(`Intake: maxEventAge must be 60 s to 24 h and retryAttempts a whole number 0 to 185 (got ${ageSeconds} s and ${retryAttempts})`);
    }
    super(scope, id);

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      // SQS-managed keys: EventBridge cannot write to a queue encrypted with the AWS-managed aws/sqs key.
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    for (const rule of ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy']) {
      Validations.of(this.deadLetterQueue).acknowledge({
        id: rule,
        reason: "This queue is itself the dead-letter queue of the EventBridge rule's target (a DeadLetterConfig, which the rule pack does not recognise as a redrive); a DLQ of a DLQ would only move the same events.",
      });
    }

    this.rule = new Rule(this, 'DetachPolicyRule', {
      description: 'scp-guardian: successful Organizations DetachPolicy calls start the remediation workflow',
      eventPattern: {
        source: ['aws.organizations'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['organizations.amazonaws.com'],
          eventName: ['DetachPolicy'],
          // A record with errorCode is a call that failed: nothing was detached.
          errorCode: Match.doesNotExist(),
        },
      },
    });
    // No input override: the execution input is the whole EventBridge envelope.
    this.rule.addTarget(
      new SfnStateMachine(props.stateMachine, { deadLetterQueue: this.deadLetterQueue, maxEventAge, retryAttempts }),
    );
  }
}
