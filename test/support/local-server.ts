import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncidentDocument } from '../../local/http/incident-document';
import type { StoredMessage } from '../../local/stand-ins/slack/slack-stand-in';
import type { PublishedMessage } from '../../local/stand-ins/sns/sns-stand-in';
import { serveLocal, type ServeOptions } from '../../local/serve';
import { testEnvironmentOptions } from './local-harness';
import { signedRequest, type SignedRequest } from './slack-signing';

/** `scp-guardian local --serve`, in-process on a free port, driven over real HTTP. */
export interface LocalServer {
  url: string;
  /** The serve token, which every state-changing request but Slack's carries. */
  token: string;
  /** The server's data folder (a temporary one), where `serve-token` is. */
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * Starts `serveLocal` on port 0 with the test rules, the sample org and the shared DynamoDB
 * Local; its data folder (which holds only the serve token then) is a temporary one.
 */
export async function startLocalServer(options: Partial<ServeOptions> = {}): Promise<LocalServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'scp-guardian-serve-'));
  let release: () => void = () => {};
  const until = new Promise<void>((resolve) => {
    release = resolve;
  });
  let listening: (listening: { url: string; token: string }) => void = () => {};
  const started = new Promise<{ url: string; token: string }>((resolve) => {
    listening = resolve;
  });
  const served = serveLocal({
    ...testEnvironmentOptions(),
    ...options,
    dataDir,
    port: 0,
    until,
    onListening: (address) => listening(address),
  });
  const stopped = served.then(() => Promise.reject(new Error('the local server stopped before it listened')));
  const { url, token } = await Promise.race([started, stopped]).catch((error: unknown) => {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  });
  return {
    url,
    token,
    dataDir,
    stop: async () => {
      release();
      await served;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** GETs `path` and parses the JSON answer. */
export async function getJson<T>(server: Pick<LocalServer, 'url'>, path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${server.url}${path}`);
  return { status: response.status, body: (await response.json()) as T };
}

/** POSTs a JSON body, as `scp-guardian decide --local` does (JSON, with the serve token), and parses the JSON answer. */
export async function postJson<T>(server: Pick<LocalServer, 'url' | 'token'>, path: string, body: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

/** An HTTP answer as a test looks at it. */
export interface HttpAnswer {
  status: number;
  contentType: string | null;
  body: string;
}

/** POSTs a Slack-style request (headers as given, body as is) to /slack/interactions. */
export async function postInteraction(server: Pick<LocalServer, 'url'>, request: Pick<SignedRequest, 'headers' | 'body'>): Promise<HttpAnswer> {
  const response = await fetch(`${server.url}/slack/interactions`, { method: 'POST', headers: request.headers, body: request.body });
  return { status: response.status, contentType: response.headers.get('content-type'), body: await response.text() };
}

/** Signs `body` at `at` with `secret` and POSTs it to /slack/interactions. */
export function postSigned(server: Pick<LocalServer, 'url'>, secret: string, body: string, at = new Date()): Promise<HttpAnswer> {
  return postInteraction(server, signedRequest(secret, body, at));
}

/** The incident with its timeline, as GET /incidents/ID answers: the document `local --json` prints for it. */
export type IncidentView = IncidentDocument;

/** The incident waits for a decision, and people were asked (Slack and email): its message can be clicked. */
export const askedForDecision = (incident: IncidentView): boolean =>
  incident.status === 'AWAITING_DECISION' && incident.timeline.some((entry) => entry.step === 'notified' && entry.detail.phase === 'awaiting-decision');

/** The reason the incident's decision was given with, as its timeline recorded the decision. */
export const decisionReason = (incident: IncidentView): unknown => incident.timeline.find((entry) => entry.step === 'decided')?.detail.reason;

/** Polls GET /incidents/ID until `done` holds, or fails at the deadline with the last state seen. */
export async function waitForIncident(server: Pick<LocalServer, 'url'>, incidentId: string, done: (incident: IncidentView) => boolean, deadlineMs = 20_000): Promise<IncidentView> {
  const deadline = Date.now() + deadlineMs;
  let last: IncidentView | undefined;
  while (Date.now() < deadline) {
    const answer = await getJson<IncidentView>(server, `/incidents/${encodeURIComponent(incidentId)}`);
    if (answer.status === 200) {
      last = answer.body;
      if (done(last)) return last;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`incident ${incidentId} did not get there within ${deadlineMs} ms; last seen: ${JSON.stringify(last?.status)} ${JSON.stringify(last?.outcome)}`);
}

/** What the Slack stand-in received, as GET /slack/messages answers. */
export interface SlackRecord {
  messages: StoredMessage[];
  calls: { method: string; args: Record<string, unknown>; ok: boolean; error?: string }[];
}

export async function slackRecord(server: Pick<LocalServer, 'url'>): Promise<SlackRecord> {
  return (await getJson<SlackRecord>(server, '/slack/messages')).body;
}

export async function emails(server: Pick<LocalServer, 'url'>): Promise<PublishedMessage[]> {
  return (await getJson<{ messages: PublishedMessage[] }>(server, '/notifications')).body.messages;
}

/** The incident's Slack message: the one whose blocks name the incident id. */
export function messageFor(record: SlackRecord, incidentId: string): StoredMessage {
  const message = record.messages.find((m) => JSON.stringify(m.history[0].blocks).includes(incidentId));
  if (message === undefined) throw new Error(`no Slack message names incident ${incidentId}`);
  return message;
}

/** The decision id a button of the message carries, as a person clicking it would send it. */
export function buttonValue(message: { blocks?: unknown[] }, actionId: string): string {
  const actions = (message.blocks ?? []) as { type: string; elements?: { action_id?: string; value?: string }[] }[];
  const value = actions.flatMap((block) => block.elements ?? []).find((element) => element.action_id === actionId)?.value;
  if (value === undefined) throw new Error(`the message has no ${actionId} button`);
  return value;
}

/** Whether a message version still shows decision buttons. */
export function hasButtons(blocks: unknown[] | undefined): boolean {
  return (blocks ?? []).some((block) => (block as { type: string }).type === 'actions');
}

/** Waits, against a deadline, for the server's activity line that says the incident's execution ended. */
export async function executionEnded(activity: string[], incidentId: string, deadlineMs = 20_000): Promise<string> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const line = activity.find((entry) => entry.startsWith(`incident ${incidentId}: execution `));
    if (line !== undefined) return line;
    if (Date.now() > deadline) throw new Error(`the execution of ${incidentId} did not end within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
