import { StandInServer, type StandInAnswer, type StandInRequest } from '../stand-in-server';

/** One Web API call as the stand-in received it, and what it answered. */
export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  /** The bearer token presented, if any. */
  token?: string;
  /** Milliseconds since the epoch when the call arrived (for Retry-After assertions). */
  receivedAt: number;
  status: number;
  ok: boolean;
  error?: string;
}

/** One version of a message: as posted, or as a chat.update left it. */
export interface MessageVersion {
  text?: string;
  blocks?: unknown[];
  /** `chat.postMessage` or `chat.update`. */
  by: string;
}

/** A posted message's current text and blocks, with every version in order (the post first). */
export interface StoredMessage {
  channel: string;
  ts: string;
  text?: string;
  blocks?: unknown[];
  history: MessageVersion[];
}

/** How to start the stand-in. */
export interface SlackStandInOptions {
  /** The bot token clients must present. */
  token: string;
  /** @default 0 (any free port) */
  port?: number;
}

interface Fault {
  error: string;
  retryAfterSeconds?: number;
}

type Answer = { status?: number; headers?: Record<string, string>; body: Record<string, unknown> };

/**
 * Request bodies over this size are refused (413, `request_too_large`). A message is at most
 * 40,000 characters of text and 50 blocks, which form-encoded stays well under it.
 */
export const SLACK_BODY_LIMIT_BYTES = 1024 * 1024;

// Arguments that WebClient sends as JSON strings inside a form-encoded body.
const JSON_ARGUMENTS = new Set(['blocks', 'attachments', 'view', 'metadata']);

/**
 * A loopback stand-in for the Slack Web API, enough for `@slack/web-api`'s WebClient pointed at
 * `${url}/api/`: chat.postMessage, chat.update, chat.postEphemeral, views.open and auth.test.
 * It checks the bearer token, records every call, keeps each message's current state, and can
 * be told to fail the next call of a method (a rate limit answers 429 with Retry-After).
 */
export class SlackStandIn {
  private readonly server: StandInServer;
  private readonly recorded: RecordedCall[] = [];
  private readonly stored = new Map<string, StoredMessage>();
  private readonly faults = new Map<string, Fault[]>();
  private readonly delays = new Map<string, number[]>();
  private tsCounter = 0;
  private viewCounter = 0;

  constructor(private readonly options: SlackStandInOptions) {
    this.server = new StandInServer({
      name: 'the Slack stand-in',
      bodyLimit: SLACK_BODY_LIMIT_BYTES,
      port: options.port,
      answer: (request) => this.handle(request),
      refuse: ({ status, message, cause }) =>
        status === 413
          ? slackAnswer({ status, body: { ok: false, error: 'request_too_large', detail: message } })
          : status < 500
            ? slackAnswer({ status, body: { ok: false, error: 'invalid_form_data', detail: message } })
            : { status: 500, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ok: false, error: 'internal_error', detail: String(cause) }) },
    });
  }

  /** Base URL, e.g. http://127.0.0.1:43123 (the Web API lives under `/api/`). */
  get url(): string {
    return this.server.url;
  }

  /** The value for WebClient's `slackApiUrl`. */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  /** Listens on 127.0.0.1; answers the base URL. */
  async start(): Promise<string> {
    return (await this.server.start()).url;
  }

  /** Stops listening and drops keep-alive connections, so a test runner can exit. */
  stop(): Promise<void> {
    return this.server.stop();
  }

  /** Every call so far, in arrival order. */
  calls(method?: string): RecordedCall[] {
    return this.recorded.filter((call) => method === undefined || call.method === method).map((call) => ({ ...call }));
  }

  /** Every posted message in its current state, in posting order. */
  messages(): StoredMessage[] {
    return [...this.stored.values()].map((message) => ({ ...message, history: [...message.history] }));
  }

  /** One posted message in its current state. */
  message(channel: string, ts: string): StoredMessage | undefined {
    return this.messages().find((m) => m.channel === channel && m.ts === ts);
  }

  /**
   * Makes the next call of `method` fail with Slack error `error`; with `retryAfterSeconds`, as
   * a rate limit (HTTP 429 with Retry-After). Calls queue: two calls fail the next two requests.
   */
  failNext(method: string, error: string, options: { retryAfterSeconds?: number } = {}): void {
    const queue = this.faults.get(method) ?? [];
    queue.push({ error, retryAfterSeconds: options.retryAfterSeconds });
    this.faults.set(method, queue);
  }

  /**
   * Makes the next call of `method` wait `ms` before it is answered, as a slow Slack would (the
   * call is recorded when it arrives). Calls queue like faults.
   */
  delayNext(method: string, ms: number): void {
    this.delays.set(method, [...(this.delays.get(method) ?? []), ms]);
  }

  /** Forgets calls, messages, pending faults and delays. */
  reset(): void {
    this.recorded.length = 0;
    this.stored.clear();
    this.faults.clear();
    this.delays.clear();
  }

  private async handle(request: StandInRequest): Promise<StandInAnswer> {
    const receivedAt = Date.now();
    const method = new URL(request.url, 'http://127.0.0.1').pathname.replace(/^\/api\//, '');
    const contentType = request.headers['content-type'];
    const args = parseArguments(request.body, contentType);
    const token = bearerToken(request.headers.authorization) ?? (typeof args.token === 'string' ? args.token : undefined);
    const answer = this.answer(method, args, token);
    const ok = answer.body.ok === true;
    this.recorded.push({ method, args, token, receivedAt, status: answer.status ?? 200, ok, error: ok ? undefined : String(answer.body.error) });
    const delay = this.delays.get(method)?.shift();
    // unref: a delay still running when the stand-in stops must not keep a test runner alive.
    if (delay !== undefined) await new Promise((resolve) => setTimeout(resolve, delay).unref());
    return slackAnswer(answer);
  }

  private answer(method: string, args: Record<string, unknown>, token: string | undefined): Answer {
    if (token !== this.options.token) return { body: { ok: false, error: token === undefined ? 'not_authed' : 'invalid_auth' } };
    const fault = this.faults.get(method)?.shift();
    if (fault !== undefined) {
      if (fault.retryAfterSeconds === undefined) return { body: { ok: false, error: fault.error } };
      return { status: 429, headers: { 'retry-after': String(fault.retryAfterSeconds) }, body: { ok: false, error: fault.error } };
    }
    switch (method) {
      case 'auth.test':
        return { body: { ok: true, url: 'http://127.0.0.1/', team: 'Stand-in', user: 'scp-guardian', team_id: 'T00STANDIN', user_id: 'U00GUARDIAN', bot_id: 'B00GUARDIAN' } };
      case 'chat.postMessage':
        return this.postMessage(args);
      case 'chat.update':
        return this.update(args);
      case 'chat.postEphemeral':
        if (!isText(args.channel) || !isText(args.user)) return { body: { ok: false, error: 'invalid_arguments' } };
        return { body: { ok: true, message_ts: this.nextTs() } };
      case 'views.open':
        if (!isText(args.trigger_id) || typeof args.view !== 'object' || args.view === null) return { body: { ok: false, error: 'invalid_arguments' } };
        return { body: { ok: true, view: { id: `V${String(++this.viewCounter).padStart(8, '0')}`, ...args.view } } };
      default:
        return { body: { ok: false, error: 'unknown_method' } };
    }
  }

  private postMessage(args: Record<string, unknown>): Answer {
    if (!isText(args.channel)) return { body: { ok: false, error: 'channel_not_found' } };
    if (!isText(args.text) && !Array.isArray(args.blocks)) return { body: { ok: false, error: 'no_text' } };
    const version = versionOf(args, 'chat.postMessage');
    const message: StoredMessage = { channel: args.channel, ts: this.nextTs(), text: version.text, blocks: version.blocks, history: [version] };
    this.stored.set(key(message.channel, message.ts), message);
    return { body: { ok: true, channel: message.channel, ts: message.ts, message: { type: 'message', text: message.text, blocks: message.blocks, ts: message.ts } } };
  }

  private update(args: Record<string, unknown>): Answer {
    if (!isText(args.channel) || !isText(args.ts)) return { body: { ok: false, error: 'invalid_arguments' } };
    const message = this.stored.get(key(args.channel, args.ts));
    if (message === undefined) return { body: { ok: false, error: 'message_not_found' } };
    const version = versionOf(args, 'chat.update');
    message.text = version.text;
    message.blocks = version.blocks;
    message.history.push(version);
    return { body: { ok: true, channel: message.channel, ts: message.ts, text: message.text, message: { text: message.text, blocks: message.blocks } } };
  }

  /** Unique, increasing timestamps shaped like Slack's ("1700000000.000100"). */
  private nextTs(): string {
    const micros = 1_700_000_000_000_000 + ++this.tsCounter * 100;
    return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
  }
}

function key(channel: string, ts: string): string {
  return `${channel}/${ts}`;
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function versionOf(args: Record<string, unknown>, by: string): MessageVersion {
  return { text: typeof args.text === 'string' ? args.text : undefined, blocks: Array.isArray(args.blocks) ? args.blocks : undefined, by };
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return match?.[1];
}

function slackAnswer(answer: Answer): StandInAnswer {
  return { status: answer.status ?? 200, headers: { 'content-type': 'application/json; charset=utf-8', ...answer.headers }, body: JSON.stringify(answer.body) };
}

function parseArguments(body: string, contentType: string | undefined): Record<string, unknown> {
  if (body === '') return {};
  if (contentType?.includes('application/json') === true) {
    try {
      const parsed: unknown = JSON.parse(body);
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  const args: Record<string, unknown> = {};
  for (const [name, value] of new URLSearchParams(body)) {
    args[name] = JSON_ARGUMENTS.has(name) ? parseJsonOrKeep(value) : value;
  }
  return args;
}

function parseJsonOrKeep(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
