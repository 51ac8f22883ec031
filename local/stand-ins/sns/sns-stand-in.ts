import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

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
 * A loopback SNS endpoint speaking the Query protocol the real `@aws-sdk/client-sns` uses:
 * Publish is recorded (and handed to `onPublish`, which prints it in local mode); any other
 * action is refused as AWS would refuse an unknown one.
 */
export class SnsStandIn {
  private server?: Server;
  private failures: { code: string; status: number }[] = [];
  readonly published: PublishedMessage[] = [];

  constructor(private readonly onPublish: (message: PublishedMessage) => void = () => {}) {}

  get url(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (address === undefined) throw new Error('the SNS stand-in is not started');
    return `http://127.0.0.1:${address.port}`;
  }

  /** The next `count` Publish calls fail with `code` (e.g. InternalError, 500). */
  failNext(count: number, code = 'InternalError', status = 500): void {
    for (let i = 0; i < count; i++) this.failures.push({ code, status });
  }

  async start(): Promise<string> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const requestId = randomUUID();
    const reply = (status: number, body: string) => {
      response.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
      response.end(body);
    };
    const error = (status: number, code: string, message: string) =>
      reply(
        status,
        `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      );

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
    reply(
      200,
      `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${published.messageId}</MessageId></PublishResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishResponse>`,
    );
  }
}
