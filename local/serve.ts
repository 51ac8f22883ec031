import type { FastifyInstance } from 'fastify';
import { createServer, type AddressInfo } from 'node:net';
import { describeError } from '../functions/shared/errors';
import { LocalEnvironment, type LocalEnvironmentOptions } from './environment';
import { EndedExecutions } from './http/incident-document';
import { buildLocalApi, type LocalApiTimeouts } from './http/local-api';
import { routeLines } from './http/routes';
import { removeServeToken, writeServeToken } from './http/serve-token';
import { sweepLine } from './report';

export interface ServeOptions extends LocalEnvironmentOptions {
  /** The port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** The local data folder: the serve token is written to `<dataDir>/serve-token`. */
  dataDir: string;
  /** Resolves when the server should stop. */
  until: Promise<unknown>;
  /** The banner and diagnostics (the command writes them to stderr). */
  progress?: (line: string) => void;
  /** One line for each event, execution end and decision (the command writes them to stdout); default: `progress`. */
  activity?: (line: string) => void;
  onListening?: (listening: { url: string; token: string; tokenFile: string }) => void;
  timeouts?: Partial<LocalApiTimeouts>;
}

/** The port is taken: one line naming it and what to do. */
export class PortInUseError extends Error {
  constructor(readonly port: number, options?: { cause?: unknown }) {
    super(`port ${port} on 127.0.0.1 is in use (another \`scp-guardian local --serve\`?): stop what listens there, or give another --port (0 picks a free one)`, options);
    this.name = 'PortInUseError';
  }
}

function listenError(error: unknown, port: number): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return new PortInUseError(port, { cause: error });
  if (code === 'EACCES') return new Error(`port ${port} on 127.0.0.1: permission denied (ports below 1024 need root): give another --port`, { cause: error });
  return error;
}

/** Fails at once, before DynamoDB Local is started for nothing, when the port is taken. */
async function checkPortFree(port: number): Promise<void> {
  const probe = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(port, '127.0.0.1', resolve);
    });
  } catch (error) {
    throw listenError(error, port);
  }
  await new Promise((resolve) => probe.close(resolve));
}

/**
 * `scp-guardian local --serve`: the workflow on local components behind a loopback HTTP API
 * (contract: docs/contracts.md, "The `local --serve` API"; the routes and their checks: ./http/local-api.ts).
 * Writes the serve token to the data folder while it runs, and stops everything it started,
 * DynamoDB Local included, when `until` resolves or when it fails to start.
 */
export async function serveLocal(options: ServeOptions): Promise<void> {
  const progress = options.progress ?? (() => {});
  if (options.port !== 0) await checkPortFree(options.port);
  const env = await LocalEnvironment.start(options);
  let app: FastifyInstance | undefined;
  let written: { token: string; path: string } | undefined;
  try {
    // Written once the environment holds the data folder's lock, so a second server on the
    // same folder fails on the lock before it could replace the first one's token.
    written = writeServeToken(options.dataDir);
    // Like a fresh deployment, the server first sweeps once, so the desired state knows what the
    // organization has attached before any event or direct change arrives. Against another
    // Organizations endpoint (--organizations-endpoint), which may be slow or never answer, the
    // server does not wait for it.
    const executions = new EndedExecutions();
    const initialSweep = env.sweep().then(
      (swept) => {
        swept.executions.forEach((execution) => executions.keep(execution));
        progress(`initial sweep: ${sweepLine(swept.result)}`);
      },
      (error: unknown) => progress(`initial sweep failed: ${describeError(error)}`),
    );
    if (env.organizationsEndpoint !== undefined) await initialSweep;
    let port = options.port;
    app = buildLocalApi({ env, token: written.token, tokenFile: written.path, port: () => port, activity: options.activity ?? progress, timeouts: options.timeouts, executions });
    try {
      await app.listen({ port: options.port, host: '127.0.0.1' });
    } catch (error) {
      throw listenError(error, options.port);
    }
    port = (app.server.address() as AddressInfo).port;
    const url = `http://127.0.0.1:${port}`;
    progress(`scp-guardian local --serve: listening on ${url}`);
    progress(`token (also in ${written.path}, mode 0600): ${written.token}`);
    progress('  every POST but /slack/interactions needs `Authorization: Bearer <token>`;');
    progress(`  \`scp-guardian decide ID --approve --local ${url}\` reads it from the file`);
    progress('routes (a wrong method is 405, an unknown path 404):');
    for (const line of routeLines()) progress(line);
    progress(`audit trail: DynamoDB Local ${env.dynamoDbEndpoint}, table ${env.tableName} (scp-guardian audit list --endpoint ${env.dynamoDbEndpoint} --table ${env.tableName})`);
    options.onListening?.({ url, token: written.token, tokenFile: written.path });
    await options.until;
  } finally {
    await app?.close().catch(() => undefined);
    if (written !== undefined) removeServeToken(written.path, written.token);
    await env.stop();
  }
}
