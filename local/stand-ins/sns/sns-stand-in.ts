import { randomUUID } from 'node:crypto';
import { StandInServer, type StandInAnswer, type StandInRequest } from '../stand-in-server';

/** One message published to the stand-in, as SNS would deliver it to an email subscriber. */
export interface PublishedMessage {
  messageId: string;
  topicArn: string;
  subject?: string;
  message: string;
  attributes: Record<string, string>;
  at: string;
}

const xmlEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Request bodies over this size are refused (413, `RequestEntityTooLarge`). SNS takes messages
 * of up to 256 KiB, which form-encoded (three bytes for each one escaped) stays under it.
 */
export const SNS_BODY_LIMIT_BYTES = 1024 * 1024;

/** An answer in the Query protocol's XML, with its request id. */
const reply = (requestId: string, status: number, body: string): StandInAnswer => ({ status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body });

const errorReply = (requestId: string, status: number, code: string, message: string): StandInAnswer =>
  reply(
    requestId,
    status,
    `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  );

/**
 * A loopback SNS endpoint speaking the Query protocol the real `@aws-sdk/client-sns` uses:
 * Publish is recorded (and handed to `onPublish`, which prints it in local mode); any other
 * action is refused as AWS would refuse an unknown one.
 */
export class SnsStandIn {
  private readonly server: StandInServer;
  private failures: { code: string; status: number }[] = [];
  readonly published: PublishedMessage[] = [];

  constructor(private readonly onPublish: (message: PublishedMessage) => void = () => {}) {
    this.server = new StandInServer({
      name: 'the SNS stand-in',
      bodyLimit: SNS_BODY_LIMIT_BYTES,
      answer: (request) => this.handle(request),
      refuse: ({ status, message }) =>
        errorReply(randomUUID(), status, status === 413 ? 'RequestEntityTooLarge' : status < 500 ? 'MalformedQueryString' : 'InternalError', message),
    });
  }

  get url(): string {
    return this.server.url;
  }

  /** The next `count` Publish calls fail with `code` (e.g. InternalError, 500). */
  failNext(count: number, code = 'InternalError', status = 500): void {
    for (let i = 0; i < count; i++) this.failures.push({ code, status });
  }

  async start(): Promise<string> {
    return (await this.server.start()).url;
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  private handle(request: StandInRequest): StandInAnswer {
    const form = new URLSearchParams(request.body);
    const requestId = randomUUID();
    const error = (status: number, code: string, message: string) => errorReply(requestId, status, code, message);

    if (form.get('Action') !== 'Publish') return error(400, 'InvalidAction', `The action ${form.get('Action')} is not valid for this endpoint.`);
    const failure = this.failures.shift();
    if (failure !== undefined) return error(failure.status, failure.code, 'injected failure');
    const topicArn = form.get('TopicArn');
    const message = form.get('Message');
    if (!topicArn || message === null) return error(400, 'InvalidParameter', 'TopicArn and Message are required');
    const subject = form.get('Subject') ?? undefined;
    if (subject !== undefined && (subject.length >= 100 || /[^\x20-\x7e]/.test(subject))) {
      return error(400, 'InvalidParameter', 'Invalid parameter: Subject');
    }
    const attributes: Record<string, string> = {};
    for (let i = 1; form.has(`MessageAttributes.entry.${i}.Name`); i++) {
      attributes[form.get(`MessageAttributes.entry.${i}.Name`) as string] = form.get(`MessageAttributes.entry.${i}.Value.StringValue`) ?? '';
    }
    const published: PublishedMessage = { messageId: randomUUID(), topicArn, subject, message, attributes, at: new Date().toISOString() };
    this.published.push(published);
    this.onPublish(published);
    return reply(
      requestId,
      200,
      `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${published.messageId}</MessageId></PublishResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishResponse>`,
    );
  }
}
