import { build } from 'esbuild';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../../cli/project-root';

const root = PROJECT_ROOT;

/** The project modules the sweep's Lambda bundle holds, and what each imports. */
async function sweepBundleInputs(): Promise<Record<string, { imports: { path: string }[] }>> {
  const result = await build({
    entryPoints: [join(root, 'functions', 'sweep', 'handler.ts')],
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    packages: 'external',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return result.metafile.inputs;
}

describe("the sweep's Lambda bundle", () => {
  it('holds only modules from functions/, so it never loads the ASL file or anything else the CDK reads', async () => {
    const inputs = await sweepBundleInputs();

    expect(Object.keys(inputs).filter((path) => !path.startsWith('functions/'))).toEqual([]);
  });

  it('reads no files', async () => {
    const inputs = await sweepBundleInputs();

    const readers = Object.entries(inputs).filter(([, input]) => input.imports.some((i) => i.path === 'fs' || i.path === 'node:fs' || i.path.startsWith('node:fs/')));

    expect(readers.map(([path]) => path)).toEqual([]);
  });
});
