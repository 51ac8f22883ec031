import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { LAMBDA_CLIENT_OPTIONS } from '../clients/lambda';
import { describeError } from '../errors';
import type { ProtectionRules } from '../rules/protection-rules';
import { SlackDeliveryError } from './slack-delivery-error';
import type { SlackTarget } from './slack-poster';
import { RelayedSlackPoster, type SlackRelayRequest, type SlackRelayResponse } from './slack-relay';

let lambda: LambdaClient | undefined;

/** Invokes the slack-relay function with a relay request and reads its answer. */
async function invokeRelay(functionName: string, request: SlackRelayRequest): Promise<SlackRelayResponse> {
  lambda ??= new LambdaClient(LAMBDA_CLIENT_OPTIONS);
  let answer;
  try {
    answer = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: new TextEncoder().encode(JSON.stringify(request)) }));
  } catch (error) {
    throw new SlackDeliveryError('lambda:Invoke', describeError(error), { cause: error });
  }
  const text = answer.Payload === undefined ? '' : new TextDecoder().decode(answer.Payload);
  if (answer.FunctionError !== undefined) throw new SlackDeliveryError('lambda:Invoke', `the Slack relay function failed: ${text.slice(0, 300)}`);
  return JSON.parse(text) as SlackRelayResponse;
}

/**
 * Slack for the workflow's handlers: the channel from the rules, reached through the
 * slack-relay function (SLACK_FUNCTION_NAME). Undefined when no channel is configured: Slack is
 * optional, email is not.
 */
export function slackFromEnvironment(rules: ProtectionRules): SlackTarget | undefined {
  const channel = rules.notify.slackChannel;
  const functionName = process.env.SLACK_FUNCTION_NAME;
  if (channel === undefined || functionName === undefined || functionName === '') return undefined;
  return { poster: new RelayedSlackPoster((request) => invokeRelay(functionName, request)), channel };
}
