import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One DynamoDB request as it went over the wire. */
export interface RecordedRequest {
  /** The operation: "Query", "PutItem", "TransactWriteItems", … */
  operation: string;
  body: string;
}

/**
 * A loopback HTTP proxy in front of DynamoDB Local that remembers every request, so a test can
 * say which operations a code path issued (never a Scan, never a delete) without mocking the SDK.
 */
export class RecordingProxy {
  readonly requests: RecordedRequest[] = [];
  private server: Server | undefined;
  url = '';

  constructor(private readonly target: string) {}

  async start(): Promise<this> {
    const target = new URL(this.target);
    this.server = createServer((incoming, answer) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const body = Buffer.concat(chunks);
        const operation = String(incoming.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
        this.requests.push({ operation, body: body.toString('utf8') });
        const forwarded = httpRequest(
          { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
          (response) => {
            answer.writeHead(response.statusCode ?? 502, response.headers);
            response.pipe(answer);
          },
        );
        forwarded.on('error', (error) => answer.destroy(error));
        forwarded.end(body);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  operations(): Set<string> {
    return new Set(this.requests.map((r) => r.operation));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server === undefined ? resolve() : this.server.close(() => resolve())));
  }
}
