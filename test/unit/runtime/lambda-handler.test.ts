import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as LambdaHandlerModule from '../../../functions/shared/lambda-handler';
import type * as LogModule from '../../../functions/shared/log';
import type * as LambdaMetricsModule from '../../../functions/shared/lambda-metrics';
import { MetricName } from '../../../functions/shared/metrics';
import { lambdaContext } from '../../support/lambda-context';
import { PROJECT_ROOT } from '../../../cli/project-root';

const FUNCTIONS = join(PROJECT_ROOT, 'functions');
const handlerFolders = readdirSync(FUNCTIONS, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(FUNCTIONS, entry.name, 'handler.ts')))
  .map((entry) => entry.name);
const pascal = (name: string) => name.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase());

/** Everything the process wrote on stdout and stderr while `run` ran, one JSON document per line. */
async function written(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const chunks: string[] = [];
  const capture = (chunk: string | Uint8Array) => (chunks.push(String(chunk)), true);
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(capture as never);
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(capture as never);
  try {
    await run().catch(() => undefined);
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
  return chunks.join('').split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('every Lambda function', () => {
  it.each(handlerFolders)('%s exports its create...Handler factory and a handler made by lambdaHandler', (name) => {
    const path = join(FUNCTIONS, name, 'handler.ts');

    const exported = jest.requireActual(path) as Record<string, unknown>;

    expect(exported[`create${pascal(name)}Handler`]).toEqual(expect.any(Function));
    expect(exported.handler).toEqual(expect.any(Function));
    expect(readFileSync(path, 'utf8')).toMatch(/^export const handler = lambdaHandler\(/m);
  });
});

describe('lambdaHandler', () => {
  let wrapper: typeof LambdaHandlerModule;
  let log: typeof LogModule;
  let metrics: typeof LambdaMetricsModule;
  const saved = { ...process.env };

  beforeAll(() => {
    // What Lambda sets in an on-demand container: Powertools tells the cold start by it.
    process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
    delete process.env.POWERTOOLS_METRICS_DISABLED;
    delete process.env.POWERTOOLS_DEV;
    jest.isolateModules(() => {
      wrapper = jest.requireActual('../../../functions/shared/lambda-handler');
      log = jest.requireActual('../../../functions/shared/log');
      metrics = jest.requireActual('../../../functions/shared/lambda-metrics');
    });
  });
  afterAll(() => {
    process.env = saved;
  });

  it("puts the function's name, the request id and the cold start on every log line of an invocation", async () => {
    const handler = wrapper.lambdaHandler(() => async (incidentId: string) => log.lambdaLog(incidentId).info('claimed'));

    const first = await written(() => handler('inc-1', lambdaContext('scp-guardian-claim', 'request-1')));
    const second = await written(() => handler('inc-2', lambdaContext('scp-guardian-claim', 'request-2')));

    expect(first).toEqual([expect.objectContaining({ message: 'claimed', incidentId: 'inc-1', function_name: 'scp-guardian-claim', function_request_id: 'request-1', cold_start: true })]);
    expect(second).toEqual([expect.objectContaining({ message: 'claimed', incidentId: 'inc-2', function_request_id: 'request-2', cold_start: false })]);
  });

  it('builds the handler once per container, on the first invocation', async () => {
    let built = 0;
    const handler = wrapper.lambdaHandler(() => {
      built++;
      return async () => built;
    });

    expect(built).toBe(0);
    await handler(undefined, lambdaContext('scp-guardian-close'));
    expect(await handler(undefined, lambdaContext('scp-guardian-close'))).toBe(1);
  });

  it('answers a call made without a context, as a test or the local runner makes it', async () => {
    const handler = wrapper.lambdaHandler(() => async (incidentId: string) => `claimed ${incidentId}`);

    const answer = await handler('inc-3');

    expect(answer).toBe('claimed inc-3');
  });

  it('publishes a metric when it is recorded, though the invocation then never ends', async () => {
    const container = metrics.lambdaMetricSink();
    const handler = wrapper.lambdaHandler(() => async () => {
      container([{ name: MetricName.SLACK_REQUESTS_REFUSED, unit: 'Count', value: 1, dimensions: {} }]);
      await new Promise(() => undefined);
    });

    // The invocation stays pending, as one that Lambda times out.
    const lines = await written(async () => {
      void handler(undefined, lambdaContext('scp-guardian-slack-interactions'));
      await new Promise(setImmediate);
    });

    expect(lines.filter((line) => '_aws' in line)).toEqual([expect.objectContaining({ SlackRequestsRefused: 1, service: 'scp-guardian' })]);
  });

  it('publishes each metric once, one line per point, though the handler then threw', async () => {
    const container = metrics.lambdaMetricSink();
    const handler = wrapper.lambdaHandler(() => async (fail: boolean) => {
      if (!fail) return;
      container([{ name: MetricName.SWEEP_COMPLETED, unit: 'Count', value: 1, dimensions: {} }]);
      throw new Error('after the metric');
    });

    const failed = await written(() => handler(true, lambdaContext('scp-guardian-sweep')));
    const next = await written(() => handler(false, lambdaContext('scp-guardian-sweep')));

    expect(failed.filter((line) => '_aws' in line)).toEqual([expect.objectContaining({ SweepCompleted: 1, service: 'scp-guardian' })]);
    expect(next.filter((line) => '_aws' in line)).toEqual([]);
  });

  it("answers the handler's result though its metrics could not be published, and logs why", async () => {
    const container = metrics.lambdaMetricSink(() => () => {
      throw new Error('no stdout');
    });
    const handler = wrapper.lambdaHandler(() => async () => {
      container([{ name: MetricName.INCIDENTS, unit: 'Count', value: 1, dimensions: {} }]);
      return 'closed';
    });

    let answer: unknown;
    const lines = await written(async () => (answer = await handler(undefined, lambdaContext('scp-guardian-close'))));

    expect(answer).toBe('closed');
    expect(lines).toEqual([expect.objectContaining({ level: 'ERROR', message: 'could not publish the metrics', error: 'no stdout', function_name: 'scp-guardian-close' })]);
  });
});
