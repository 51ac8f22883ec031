import { ErrorName, GuardianError } from '../errors';

/** A Slack Web API call failed; `slackError` is Slack's error code (e.g. `channel_not_found`, `ratelimited`). */
export class SlackDeliveryError extends GuardianError {
  constructor(readonly method: string, readonly slackError: string, options?: { cause?: unknown }) {
    super(ErrorName.SLACK_DELIVERY, `Slack ${method} failed: ${slackError}`, options);
  }
}
