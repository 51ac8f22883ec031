import { Duration, Validations } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ConstructId } from '../construct-ids';
import { forbiddenPolicyIds, INTAKE_ENVELOPE, intakeDetailPattern } from '../intake-pattern';
import { GUARD_ROLE_ARNS_ENV } from '../../functions/classify/handler';
import type { ProtectionRules } from '../../functions/shared/rules/protection-rules';


export interface IntakeProps {
  /** The remediation workflow each matching event starts. */
  readonly stateMachine: IStateMachine;
  /**
   * The rules: AttachPolicy starts the workflow only for the policies their `forbid` rules name.
   * @default no forbid rules (no AttachPolicy matches)
   */
  readonly rules?: Pick<ProtectionRules, 'forbid'>;
  /**
   * The IAM roles the guard restores with: their calls never start the workflow (no loops).
   * Matched exactly on `userIdentity.sessionContext.sessionIssuer.arn`.
   * @default none
   */
  readonly guardRoleArns?: string[];
  /**
   * The classify function, told the same guard roles (GUARD_ROLE_ARNS), so that a replayed or
   * redelivered call of the guard's is IGNORED_ACTOR there too.
   * @default not told
   */
  readonly classify?: { addEnvironment(key: string, value: string): unknown };
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
 * Successful Organizations calls that can weaken a protected SCP, as CloudTrail delivers them to
 * the default bus in us-east-1, start the workflow; the guard's own calls do not. Events that
 * cannot be delivered land in an encrypted dead-letter queue.
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

    this.deadLetterQueue = new Queue(this, ConstructId.INTAKE_DEAD_LETTER_QUEUE, {
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

    const forbidden = forbiddenPolicyIds(props.rules?.forbid ?? []);
    const guardRoleArns = props.guardRoleArns ?? [];
    if (guardRoleArns.length > 0) props.classify?.addEnvironment(GUARD_ROLE_ARNS_ENV, guardRoleArns.join(','));
    this.rule = new Rule(this, ConstructId.INTAKE_RULE, {
      description: 'scp-guardian: successful Organizations calls that can weaken a protected SCP start the remediation workflow',
      eventPattern: {
        source: [INTAKE_ENVELOPE.source],
        detailType: [INTAKE_ENVELOPE.detailType],
        detail: intakeDetailPattern(forbidden, guardRoleArns),
      },
    });
    // No input override: the execution input is the whole EventBridge envelope.
    this.rule.addTarget(
      new SfnStateMachine(props.stateMachine, { deadLetterQueue: this.deadLetterQueue, maxEventAge, retryAttempts }),
    );
  }
}
