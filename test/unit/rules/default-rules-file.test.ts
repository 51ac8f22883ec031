import type { Command } from 'commander';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configCommand } from '../../../cli/commands/config';
import { explainCommand } from '../../../cli/commands/explain';
import { defaultRulesFile, RULES_FILE_CONTEXT, SAMPLE_RULES_FILE, sampleRulesFile } from '../../../cli/config/default-rules-file';
import { PROJECT_ROOT } from '../../../cli/project-root';
import { DEFAULT_RULES_FILE, RULES_FILE_CONTEXT as APP_RULES_FILE_CONTEXT } from '../../../infra/app';

/** A project checkout whose cdk.json names `named` (or nothing), holding the sample rules there. */
function projectNaming(named: string | undefined): string {
  const root = mkdtempSync(join(tmpdir(), 'scp-guardian-rules-default-'));
  writeFileSync(join(root, 'cdk.json'), JSON.stringify({ app: 'npx tsx infra/app.ts', context: named === undefined ? {} : { [RULES_FILE_CONTEXT]: named } }));
  for (const path of [named, SAMPLE_RULES_FILE]) {
    if (path === undefined) continue;
    mkdirSync(join(root, path, '..'), { recursive: true });
    copyFileSync(sampleRulesFile(PROJECT_ROOT), join(root, path));
  }
  return root;
}

/** A command run in process: what it wrote to stdout and stderr. */
async function run(command: Command, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((text) => out.push(String(text)) > 0);
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((text) => err.push(String(text)) > 0);
  try {
    await command.exitOverride().parseAsync(args, { from: 'user' });
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
    process.exitCode = 0;
  }
  return { stdout: out.join(''), stderr: err.join('') };
}

describe('the rules file a command reads by default', () => {
  const roots: string[] = [];
  const project = (named: string | undefined) => {
    const root = projectNaming(named);
    roots.push(root);
    return root;
  };
  afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

  it('is the one cdk deploy takes when cdk.json names none: the same key and sample as infra/app.ts', () => {
    expect([RULES_FILE_CONTEXT, SAMPLE_RULES_FILE]).toEqual([APP_RULES_FILE_CONTEXT, DEFAULT_RULES_FILE]);
  });

  it('is the file cdk.json names, else the sample', () => {
    const named = project('rules/production.json');
    const unnamed = project(undefined);

    expect([defaultRulesFile(named), defaultRulesFile(unnamed)]).toEqual([join(named, 'rules/production.json'), join(unnamed, SAMPLE_RULES_FILE)]);
  });

  it('is what explain reads without --config', async () => {
    const root = project('rules/production.json');

    const { stdout } = await run(explainCommand(root), ['p-protectct', 'ou-a1b2-7hq4vz2n', '--json']);

    expect(JSON.parse(stdout)).toMatchObject({ rulesFile: join(root, 'rules/production.json') });
  });

  it('is what config check reads without a file', async () => {
    const root = project('rules/production.json');

    const { stdout } = await run(configCommand(root), ['check']);

    expect(stdout.split('\n')[0]).toBe(`${join(root, 'rules/production.json')} is valid.`);
  });
});
