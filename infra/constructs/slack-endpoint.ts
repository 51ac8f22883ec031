import { CfnOutput, Validations } from 'aws-cdk-lib';
import { type CfnFunction, type Function as LambdaFunction, type FunctionUrl, FunctionUrlAuthType, InvokeMode } from 'aws-cdk-lib/aws-lambda';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { CfnSecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface SlackEndpointProps {
  /** The function that receives Slack's interaction POSTs at its public URL (slack-interactions). */
  readonly interactions: LambdaFunction;
  /**
   * The function that posts and updates the workflow's Slack messages (slack-relay). It has no
   * URL and no reserved concurrency: a flood of the public URL cannot throttle it.
   */
  readonly relay: LambdaFunction;
  /**
   * The functions whose Slack posts the relay carries out (notify, request-decision): they may
   * invoke it, and never see the bot token.
   */
  readonly slackClients: readonly LambdaFunction[];
  /** The workflow whose waiting tasks the interactions complete. */
  readonly stateMachine: IStateMachine;
  /**
   * Reserved concurrency of the interactions function, or `'off'` for none. Its URL is public,
   * so without a cap a flood of requests (each refused on its signature, but each a Lambda
   * invocation) could take the account's whole concurrency and throttle classify and reattach.
   * The cap binds that function alone, so during a flood the workflow's Slack posts (through
   * the relay) still go out, but approvers' clicks may be throttled: `scp-guardian decide`
   * decides without Slack.
   *
   * Reserved concurrency comes out of the account's regional pool, and Lambda keeps at least 100
   * of that pool unreserved: the sum of all reservations may be at most the account's
   * concurrency limit minus 100. An account whose limit is 100 or less (new accounts may start at
   * 10) cannot reserve any, and the deploy fails with "Specified ReservedConcurrentExecutions for
   * function decreases account's UnreservedConcurrentExecution below its minimum value": there,
   * use `'off'` (or ask for a higher limit in Service Quotas). See `aws lambda get-account-settings`.
   * @default 5 (Slack sends one request per click; five clicks in flight at once is plenty)
   */
  readonly reservedConcurrency?: number | 'off';
}

/** The reserved concurrency of the Slack interactions function when none is given. */
export const DEFAULT_SLACK_RESERVED_CONCURRENCY = 5;

/** How the operator fills a secret after the first deploy; the stack never holds the value. */
const howToSet = (what: string, where: string) =>
  `scp-guardian: ${what}. Created empty: set it once after deploying with ` +
  `aws secretsmanager put-secret-value --secret-id <this secret's ARN> --secret-string '<value>' (${where}).`;

/**
 * Slack: the bot token and signing secret in Secrets Manager (the two Slack functions get their
 * ARNs, never their values), the public function URL Slack posts button clicks to, and the
 * relay through which the workflow's functions post and update messages.
 */
export class SlackEndpoint extends Construct {
  public readonly botToken: Secret;
  public readonly signingSecret: Secret;
  public readonly url: FunctionUrl;

  constructor(scope: Construct, id: string, props: SlackEndpointProps) {
    if (props.relay === props.interactions) {
      throw new Error('SlackEndpoint: the relay must be a function of its own, not the public interactions function');
    }
    if (props.slackClients.includes(props.interactions) || props.slackClients.includes(props.relay)) {
      throw new Error('SlackEndpoint: slackClients lists a Slack function; they are the functions the relay posts for');
    }
    const concurrency = props.reservedConcurrency ?? DEFAULT_SLACK_RESERVED_CONCURRENCY;
    if (concurrency !== 'off' && !(Number.isInteger(concurrency) && concurrency >= 1)) {
      throw new Error(`SlackEndpoint: reservedConcurrency must be a whole number of at least 1, or 'off' (got ${JSON.stringify(concurrency)})`);
    }
    super(scope, id);

    this.botToken = this.emptySecret('BotToken', howToSet('Slack bot token (xoxb-...)', 'Slack app > OAuth & Permissions > Bot User OAuth Token'));
    this.signingSecret = this.emptySecret('SigningSecret', howToSet('Slack signing secret', 'Slack app > Basic Information > App Credentials > Signing Secret'));

    // Both Slack functions call Slack with the bot token: the relay for the workflow's posts, the
    // interactions function for its answers (ephemeral messages, the reason dialog, the redraw).
    for (const fn of [props.relay, props.interactions]) {
      fn.addEnvironment('BOT_TOKEN_ARN', this.botToken.secretArn);
      this.botToken.grantRead(fn);
    }
    // The workflow's functions reach Slack through the relay (IAM-authorised Invoke; it has no URL).
    for (const fn of props.slackClients) {
      fn.addEnvironment('SLACK_FUNCTION_NAME', props.relay.functionName);
      // The unqualified function only (grantInvoke would add every version and alias: ARN:*).
      fn.addToRolePolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [props.relay.functionArn] }));
    }
    props.interactions.addEnvironment('SIGNING_SECRET_ARN', this.signingSecret.secretArn);
    this.signingSecret.grantRead(props.interactions);
    // Approve/override completes the task the workflow waits on: SendTaskSuccess only (a
    // SendTaskFailure named States.Timeout would drive the workflow's timeout path). A policy of
    // its own rather than the role's default one, which the function waits for: the function
    // never waits for the state machine, whose definition waits for the workflow's functions.
    const role = props.interactions.role;
    if (role === undefined) throw new Error('SlackEndpoint: the interactions function has no role');
    role.attachInlinePolicy(
      new Policy(this, 'TaskResponsePolicy', {
        statements: [new PolicyStatement({ actions: ['states:SendTaskSuccess'], resources: [props.stateMachine.stateMachineArn] })],
      }),
    );

    // Slack cannot sign AWS requests, so the URL is public (authType NONE); the function
    // rejects any request whose v0 HMAC-SHA256 signature (signing secret) does not verify or
    // whose timestamp is more than 5 minutes off, and checks the clicker is an approver.
    this.url = props.interactions.addFunctionUrl({ authType: FunctionUrlAuthType.NONE, invokeMode: InvokeMode.BUFFERED });
    // Set here, with the public URL it guards; the function is built with the others in Handlers.
    if (concurrency !== 'off') (props.interactions.node.defaultChild as CfnFunction).reservedConcurrentExecutions = concurrency;
    new CfnOutput(this, 'InteractionsUrl', {
      description: 'Paste into Slack app > Interactivity & Shortcuts > Request URL',
      value: this.url.url,
    });
  }

  private emptySecret(id: string, description: string): Secret {
    const secret = new Secret(this, id, { description });
    // No generated value: the secret stays empty until the operator puts the one Slack issued.
    (secret.node.defaultChild as CfnSecret).addPropertyDeletionOverride('GenerateSecretString');
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Slack issues this value; a Secrets Manager rotation function cannot mint a new one. Rotate it in the Slack app settings and put the new value into this secret.',
    });
    return secret;
  }
}
