import { buildSync, type Metafile } from 'esbuild';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { loadProtectionRules } from '../../config/load';
import { lambdaDefaults } from '../../infra/constructs/lambda-defaults';
import { PROJECT_ROOT } from '../../cli/project-root';

/**
 * Where code lives (STYLE.md): a Lambda bundle holds code from functions/ and packages only; our
 * code in it imports neither the full zod (the rules schema runs at synth time; zod/mini parses
 * Slack's payloads in the Slack function) nor `fs` (a package may: @slack/web-api's file
 * uploads); and the domain folders of functions/shared import one another in one direction.
 * This is the lint rule: it bundles every handler as the CDK does, and reads every file under
 * functions/ too, so a file no handler imports yet, or a type-only import, is held to it as well.
 */

const ROOT = PROJECT_ROOT;
const FUNCTIONS = path.join(ROOT, 'functions');
const SHARED = path.join(FUNCTIONS, 'shared');
const HANDLERS = readdirSync(FUNCTIONS).filter((name) => existsSync(path.join(FUNCTIONS, name, 'handler.ts')));
const FS_MODULES = new Set(['fs', 'node:fs', 'fs/promises', 'node:fs/promises']);
/** zod/mini is the one zod entry a bundle may hold (functions/slack-interactions/interaction-payload.ts). */
const isFullZod = (specifier: string) => /^zod(\/|$)/.test(specifier) && specifier !== 'zod/mini';

const relative = (file: string) => path.relative(ROOT, file).split(path.sep).join('/');
const isPackage = (input: string) => input.split('/').includes('node_modules');

/** The bundle's inputs and imports, built with the stack's own bundling options. */
function bundleOf(name: string): Metafile {
  const { bundling } = lambdaDefaults(loadProtectionRules(path.join(ROOT, 'samples', 'protection-rules.json')));
  return buildSync({
    absWorkingDir: ROOT,
    entryPoints: [path.join('functions', name, 'handler.ts')],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    target: bundling.target,
    external: [...bundling.externalModules],
    define: bundling.define,
    outdir: path.join(ROOT, 'cdk.out', 'bundle-boundaries'),
    logLevel: 'silent',
  }).metafile;
}

/** `entry -> ... -> target`: the shortest chain of imports by which the bundle reaches `target`. */
function chainTo(metafile: Metafile, entry: string, target: string): string {
  const previous = new Map<string, string>([[entry, '']]);
  const queue = [entry];
  while (queue.length > 0) {
    const current = queue.shift() as string;
    if (current === target) break;
    for (const { path: next } of metafile.inputs[current]?.imports ?? []) {
      if (!previous.has(next)) {
        previous.set(next, current);
        queue.push(next);
      }
    }
  }
  const chain = [target];
  while (previous.get(chain[0])) chain.unshift(previous.get(chain[0]) as string);
  return chain.join(' -> ');
}

/** What the handler's bundle should not hold, each with the import chain that brings it in. */
function boundaryProblems(name: string): string[] {
  const metafile = bundleOf(name);
  const entry = `functions/${name}/handler.ts`;
  const problems: string[] = [];
  for (const [input, { imports }] of Object.entries(metafile.inputs)) {
    if (!isPackage(input) && !input.startsWith('functions/')) problems.push(`outside functions/: ${chainTo(metafile, entry, input)}`);
    for (const imported of imports) {
      const specifier = imported.original ?? imported.path;
      if (!isPackage(input) && isFullZod(specifier)) problems.push(`zod: ${chainTo(metafile, entry, input)} -> ${specifier}`);
      if (!isPackage(input) && imported.external === true && FS_MODULES.has(imported.path)) problems.push(`fs: ${chainTo(metafile, entry, input)} -> ${imported.path}`);
    }
  }
  return problems;
}

/** Every TypeScript file under `dir`. */
function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return typeScriptFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** What a file imports: static, type-only, dynamic `import()` and `require()` specifiers alike. */
const specifiersOf = (text: string) => ts.preProcessFile(text, true, true).importedFiles.map(({ fileName }) => fileName);

/** Ways to load a module that no import specifier shows (`createRequire(...)('fs')`, `process.getBuiltinModule('fs')`). */
const MODULE_LOADERS = new Set(['createRequire', 'getBuiltinModule']);

/** The module loaders a file names in code (identifiers or string keys, not comments). */
function moduleLoadersIn(file: string, text: string): string[] {
  const found = new Set<string>();
  const visit = (node: ts.Node) => {
    if ((ts.isIdentifier(node) || ts.isStringLiteralLike(node)) && MODULE_LOADERS.has(node.text)) found.add(node.text);
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile(file, text, ts.ScriptTarget.Latest));
  return [...found];
}

/** What a file under functions/ should not import or call, as `file: what`, whether or not a handler reaches it yet. */
function sourceProblems(file: string, text: string): string[] {
  const name = relative(file);
  return [
    ...specifiersOf(text).flatMap((specifier) => {
      if (isFullZod(specifier)) return [`zod: ${name} -> ${specifier}`];
      if (FS_MODULES.has(specifier)) return [`fs: ${name} -> ${specifier}`];
      return [];
    }),
    ...moduleLoadersIn(file, text).map((loader) => `module loader: ${name} -> ${loader}`),
  ];
}

/** Every TypeScript file under `dir`, with the project files it imports (type-only imports too). */
function importGraph(dir: string): Map<string, string[]> {
  const files = typeScriptFiles(dir);
  const resolve = (from: string, specifier: string) => {
    if (!specifier.startsWith('.')) return undefined;
    const base = path.resolve(path.dirname(from), specifier);
    return [base, `${base}.ts`, path.join(base, 'index.ts')].find((candidate) => existsSync(candidate) && candidate.endsWith('.ts'));
  };
  return new Map(
    files.map((file) => [
      relative(file),
      specifiersOf(readFileSync(file, 'utf8'))
        .map((specifier) => resolve(file, specifier))
        .filter((target): target is string => target !== undefined)
        .map(relative),
    ]),
  );
}

/** The cycles of a graph (its strongly connected components of more than one node), each as a path that closes. */
function cyclesOf(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node) as number);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) as number, low.get(next) as number));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) as number, index.get(next) as number));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return components;
}

describe('what a Lambda bundle holds', () => {
  it('finds every handler', () => {
    expect(HANDLERS).toEqual(expect.arrayContaining(['classify', 'notify', 'slack-interactions', 'sweep']));
  });

  it.each(HANDLERS)('%s: code from functions/ and packages only, importing neither zod (but zod/mini) nor fs', (name) => {
    expect(boundaryProblems(name)).toEqual([]);
  });

  it('no file under functions/ imports zod (but zod/mini) or fs, or loads a module round about, not even for a type', () => {
    const problems = typeScriptFiles(FUNCTIONS).flatMap((file) => sourceProblems(file, readFileSync(file, 'utf8')));

    expect(problems).toEqual([]);
  });

  it('no file under functions/ imports one outside it, not even for a type', () => {
    const outside = [...importGraph(FUNCTIONS)].flatMap(([file, targets]) => targets.filter((target) => !target.startsWith('functions/')).map((target) => `${file} -> ${target}`));

    expect(outside).toEqual([]);
  });
});

describe('the domain folders of functions/shared', () => {
  const files = importGraph(SHARED);
  /** A file's node in the folder graph: its domain folder (`slack/`), or the file itself at the top of functions/shared. */
  const nodeOf = (file: string) => /^functions\/shared\/([^/]+\/|[^/]+$)/.exec(file)?.[1];

  it('import one another in one direction, also by way of a file at the top of functions/shared', () => {
    const edges = new Map<string, Set<string>>();
    const because = new Map<string, string>();
    for (const [file, targets] of files) {
      for (const target of targets) {
        const [from, to] = [nodeOf(file), nodeOf(target)];
        if (from === undefined || to === undefined || from === to) continue;
        edges.set(from, (edges.get(from) ?? new Set()).add(to));
        because.set(`${from} -> ${to}`, `${file} -> ${target}`);
      }
    }
    const graph = new Map([...edges].map(([from, to]) => [from, [...to]]));
    const cycles = cyclesOf(graph).map((folders) => ({
      folders,
      imports: [...because].filter(([edge]) => folders.includes(edge.split(' -> ')[0]) && folders.includes(edge.split(' -> ')[1])).map(([, example]) => example),
    }));

    expect(cycles).toEqual([]);
  });

  it('have no two modules that import each other, directly or round about', () => {
    expect(cyclesOf(files)).toEqual([]);
  });
});
