import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { AUDIT_ROW_KEYS } from '../../../cli/audit/rows';
import { explainPair } from '../../../cli/explain/explain';
import { parseProtectionRules } from '../../../config/load';
import type { SweepResult } from '../../../functions/sweep/result';
import { buildLocalApi } from '../../../local/http/local-api';
import { organizationFileSchema, parseOrganization } from '../../../local/stand-ins/organizations/organization-file';
import { toJsonDocument } from '../../../local/report';
import type { LocalEnvironment } from '../../../local/environment';
import type { LocalRunReport } from '../../../local/runner';
import { PROJECT_ROOT } from '../../../cli/project-root';

const ROOT = PROJECT_ROOT;
const CONTRACTS = join(ROOT, 'docs', 'contracts.md');

/** One ```json block of docs/contracts.md and the contract the comment before it names. */
interface Example {
  contract: string | undefined;
  line: number;
  text: string;
}

/** Every ```json block, with the `<!-- contract: NAME -->` on the last non-empty line before it. */
export function jsonBlocks(markdown: string): Example[] {
  const lines = markdown.split('\n');
  const examples: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '```json') continue;
    const end = lines.findIndex((line, j) => j > i && line.trim() === '```');
    let before = i - 1;
    while (before >= 0 && lines[before].trim() === '') before--;
    const contract = /^<!-- contract: ([a-z-]+) -->$/.exec(lines[before]?.trim() ?? '')?.[1];
    examples.push({ contract, line: i + 1, text: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return examples;
}

/**
 * The type each output without a runtime schema has in the code. The example must satisfy it as
 * an object literal: a field the type lacks (invented, renamed) or a required one missing fails.
 */
const TYPED: Record<string, string> = {
  'sweep-result': "import('../../../functions/sweep/result').SweepResult",
  'incident-document': "import('../../../local/http/incident-document').IncidentDocument",
  'serve-incidents': "{ incidents: import('../../../local/http/incident-document').IncidentDocument[]; nextToken: string | null }",
  'serve-decision-response':
    "{ status: Awaited<ReturnType<typeof import('../../../cli/decide/decide-incident').decideIncident>>['result']['status']; ok: boolean; message: string }",
  'local-json':
    "{ incidents: import('../../../local/http/incident-document').IncidentDocument[]; attachCalls: number; organization: import('../../../local/stand-ins/organizations/organization-file').OrganizationFile | null; notes: string[]; inputs: import('../../../local/runner').LocalRunReport['inputs']; sweeps: unknown[] }",
  'audit-list':
    "{ table: string; query: { index: import('../../../functions/shared/audit/queries').QueryPlan['index']; since: string | null; until: string | null; policy: string | null; target: string | null; actor: string | null; outcome: string | null; kind: string | null; source: string | null }; incidents: import('../../../cli/audit/rows').AuditRow[]; nextToken: string | null }",
  'audit-show': "NonNullable<Awaited<ReturnType<import('../../../cli/audit/queries').AuditQueries['show']>>>",
  'audit-stats': "{ table: string; since?: string; until?: string } & import('../../../cli/audit/stats-text').StatsWithKinds",
  'audit-desired': "{ table: string; at: string; pairs: import('../../../cli/audit/desired-text').DesiredRow[] }",
  doctor: "import('../../../cli/doctor/report').DoctorReport",
  explain: "import('../../../cli/explain/explain').Explanation",
  'serve-events-response': '{ incidentId: string; executionArn: string }',
  'serve-endpoints': '{ organizations: string; dynamodb: string }',
  'serve-error': '{ error: string }',
};

/** Contracts checked at run time by the code's own parsers or handlers (below). */
const CHECKED_AT_RUN_TIME = ['rules-file', 'organization-file', 'serve-decision-request', 'serve-reconcile-request'];

/** The type errors of each example against its type, by the compiler with the project's options. */
function typeErrors(examples: readonly Example[]): Map<Example, string[]> {
  // Beside this file, so the import('…') paths in the types are this file's own (and move with it).
  const file = join(__dirname, '__contract_examples__.ts');
  const chunks: string[] = [];
  const ranges: { example: Example; from: number; to: number }[] = [];
  let next = 1;
  examples.forEach((example, index) => {
    const chunk = `export const example${index} = ${example.text} satisfies ${TYPED[example.contract ?? '']};`;
    chunks.push(chunk);
    // Lines from..to-1 of the generated file (1-based) hold this example.
    ranges.push({ example, from: next, to: (next += chunk.split('\n').length) });
  });
  const source = chunks.join('\n');
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  const options = { ...config?.options, noUnusedLocals: false };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, ...rest) => (resolve(name) === file ? ts.createSourceFile(name, source, language) : getSourceFile(name, language, ...rest));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => resolve(name) === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  const errors = new Map<Example, string[]>(examples.map((example) => [example, []]));
  for (const diagnostic of ts.getPreEmitDiagnostics(program, program.getSourceFile(file))) {
    const line = diagnostic.file === undefined || diagnostic.start === undefined ? 0 : diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + 1;
    const range = ranges.find((r) => line >= r.from && line < r.to) ?? ranges[0];
    errors.get(range.example)?.push(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
  }
  return errors;
}

/** Whether `example` is `real` with only array elements left out: same keys everywhere, every element one of the real ones. */
function trimmedFrom(example: unknown, real: unknown): boolean {
  if (Array.isArray(example)) return Array.isArray(real) && example.every((item) => real.some((candidate) => trimmedFrom(item, candidate)));
  if (typeof example === 'object' && example !== null) {
    if (typeof real !== 'object' || real === null || Array.isArray(real)) return false;
    const keys = Object.keys(example).sort();
    return JSON.stringify(keys) === JSON.stringify(Object.keys(real).sort()) && keys.every((key) => trimmedFrom((example as never)[key], (real as never)[key]));
  }
  return example === real;
}

const TOKEN = 'contracts-test-token';

/** An answer as a client sees it. */
interface Answer {
  status: number;
  body: unknown;
}

/** The real HTTP API, on 127.0.0.1, over a stand-in environment that records what the routes hand it. */
async function localApi(env: Partial<LocalEnvironment>, tokenFile = '/tmp/serve-token') {
  const environment = { tableName: 'scp-guardian-audit', dynamoDbEndpoint: 'http://127.0.0.1:1', organization: undefined, ...env } as unknown as LocalEnvironment;
  let port = 0;
  const app = buildLocalApi({ env: environment, token: TOKEN, tokenFile, port: () => port });
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as AddressInfo).port;
  return {
    async send(method: 'GET' | 'POST', path: string, options: { body?: unknown; token?: boolean } = {}): Promise<Answer> {
      const headers: Record<string, string> = options.body === undefined ? {} : { 'content-type': 'application/json' };
      if (options.token !== false) headers.authorization = `Bearer ${TOKEN}`;
      const response = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
      return { status: response.status, body: (await response.json()) as unknown };
    },
    close: () => app.close(),
  };
}

const examples = jsonBlocks(readFileSync(CONTRACTS, 'utf8'));
const parsed = (contract: string) => examples.filter((example) => example.contract === contract).map((example) => JSON.parse(example.text) as unknown);
const one = (contract: string) => {
  const found = parsed(contract);
  expect(found).toHaveLength(1);
  return found[0] as Record<string, unknown>;
};

describe('docs/contracts.md', () => {
  it('marks every JSON example with a contract this test knows', () => {
    const known = new Set([...Object.keys(TYPED), ...CHECKED_AT_RUN_TIME]);
    const problems = examples.filter((example) => example.contract === undefined || !known.has(example.contract)).map((example) => `line ${example.line}: ${example.contract ?? 'no <!-- contract: NAME --> before it'}`);

    expect(examples.length).toBeGreaterThan(15);
    expect(problems).toEqual([]);
  });

  it('has JSON examples that parse', () => {
    const problems = examples.flatMap((example) => {
      try {
        JSON.parse(example.text);
        return [];
      } catch (error) {
        return [`line ${example.line}: ${(error as Error).message}`];
      }
    });

    expect(problems).toEqual([]);
  });

  it('has rules files that the rules schema accepts', () => {
    const files = parsed('rules-file');

    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(() => parseProtectionRules(file, 'docs/contracts.md')).not.toThrow();
  });

  it('has organization files, and a local --json organization, that the organization schema accepts', () => {
    const files = parsed('organization-file');

    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(() => parseOrganization(file, 'docs/contracts.md')).not.toThrow();
    // Shortened (OUs and accounts left out), so only its shape: its references name what was left out.
    expect(organizationFileSchema.safeParse(one('local-json').organization).error?.issues).toBeUndefined();
  });

  it('has outputs that satisfy the types the code gives them', () => {
    const typed = examples.filter((example) => example.contract !== undefined && example.contract in TYPED);

    const errors = typeErrors(typed);

    expect([...errors].filter(([, messages]) => messages.length > 0).map(([example, messages]) => `line ${example.line} (${example.contract}): ${messages.join('; ')}`)).toEqual([]);
  }, 300_000);

  it('has a local --json whose keys, and its sweeps\' keys, are those the report writes', () => {
    const document = one('local-json');
    const sweep = one('sweep-result') as unknown as SweepResult;
    const report: LocalRunReport = { incidents: [], attachCalls: 0, organization: null, notes: [], complete: true, unrecorded: [], sweeps: [sweep], inputs: { events: 0, unreadable: 0 } };

    const written = toJsonDocument(report) as { sweeps: Record<string, unknown>[] };

    expect(Object.keys(document).sort()).toEqual(Object.keys(written).sort());
    for (const shown of document.sweeps as Record<string, unknown>[]) expect(Object.keys(shown).sort()).toEqual(Object.keys(written.sweeps[0]).sort());
  });

  it('has audit list rows with the columns of the CSV export, in their order', () => {
    for (const row of one('audit-list').incidents as Record<string, unknown>[]) expect(Object.keys(row)).toEqual(AUDIT_ROW_KEYS);
  });

  it('has the explain --json that explain computes from the sample rules, with only array elements left out', () => {
    const rules = parseProtectionRules(JSON.parse(readFileSync(join(ROOT, 'samples', 'protection-rules.json'), 'utf8')));
    const shown = one('explain');

    const real = explainPair(rules, shown.policyId as string, shown.targetId as string, 'samples/protection-rules.json');

    expect(trimmedFrom(shown, JSON.parse(JSON.stringify(real)))).toBe(true);
  });

  describe('the local --serve examples, against the real routes', () => {
    it('answers POST /events with the incident id and execution shown', async () => {
      const shown = one('serve-events-response');
      const envelope = JSON.parse(readFileSync(join(ROOT, 'samples', 'events', '03-protected-approval-sandbox-ou.json'), 'utf8')) as unknown;
      const api = await localApi({ run: () => ({ executionArn: shown.executionArn as string, result: new Promise(() => undefined) }) } as never);

      const answer = await api.send('POST', '/events', { body: envelope });
      await api.close();

      expect(answer).toEqual({ status: 202, body: shown });
    });

    it('answers GET /endpoints and a request without the token in the shapes shown', async () => {
      const endpoints = one('serve-endpoints');
      const refused = one('serve-error');
      const tokenFile = /<the token in (\S+)>/.exec(refused.error as string)?.[1];
      const api = await localApi({ organizationsUrl: endpoints.organizations as string, dynamoDbEndpoint: endpoints.dynamodb as string } as never, tokenFile);

      const got = await api.send('GET', '/endpoints', { token: false });
      const unauthorised = await api.send('POST', '/events', { body: {}, token: false });
      await api.close();

      expect(got).toEqual({ status: 200, body: endpoints });
      expect(unauthorised).toEqual({ status: 401, body: refused });
    });

    it('takes the decision body shown, as the decision it says', async () => {
      const body = one('serve-decision-request');
      let handed: unknown[] | undefined;
      const api = await localApi({
        decideIncident: async (...args: unknown[]) => {
          handed = args;
          throw new Error('stop here');
        },
      } as never);

      const answer = await api.send('POST', '/incidents/i-1/decision', { body });
      await api.close();

      expect(answer.status).toBe(500);
      expect(handed).toEqual(['i-1', body.decision, body.by, body.reason, 4 * 60]);
    });

    it('takes the reconcile body shown', async () => {
      const body = one('serve-reconcile-request');
      let handed: unknown;
      const api = await localApi({
        sweep: async (options: unknown) => {
          handed = options;
          throw new Error('stop here');
        },
      } as never);

      const answer = await api.send('POST', '/reconcile', { body });
      await api.close();

      expect(answer.status).toBe(500);
      expect(handed).toEqual({ dryRun: body.dryRun });
    });
  });

  it('finds an unmarked block (the check itself)', () => {
    expect(jsonBlocks('text\n\n```json\n{}\n```\n<!-- contract: doctor -->\n\n```json\n[]\n```\n').map((example) => example.contract)).toEqual([undefined, 'doctor']);
  });
});
