import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ASL_FILE } from '../../../functions/shared/workflow-functions';
import { PROJECT_ROOT } from '../../../cli/project-root';

const ROOT = PROJECT_ROOT;

/** README and every Markdown file under docs/. */
function markdownFiles(): string[] {
  const docs = join(ROOT, 'docs');
  return [join(ROOT, 'README.md'), ...readdirSync(docs, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.md')).map((name) => join(docs, name))];
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors a Markdown file offers: its headings', with GitHub's -1, -2 for repeats. */
function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.*)$/.exec(line);
    if (heading === null) continue;
    const base = anchorOf(heading[1]);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** Relative links outside code: `[text](target)`, without a scheme. */
function relativeLinks(text: string): string[] {
  const prose = text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((match) => match[1]).filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

describe('the docs', () => {
  it('have a relative link target for every relative link in README and docs/ (files and #anchors)', () => {
    const broken: string[] = [];
    for (const file of markdownFiles()) {
      const text = readFileSync(file, 'utf8');
      for (const link of relativeLinks(text)) {
        const [path, anchor] = link.split('#');
        const target = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
        const where = `${relative(ROOT, file)}: (${link})`;
        if (!existsSync(target)) {
          broken.push(`${where} → no ${relative(ROOT, target)}`);
          continue;
        }
        if (anchor !== undefined && anchor !== '' && target.endsWith('.md') && !anchorsOf(readFileSync(target, 'utf8')).has(anchor)) {
          broken.push(`${where} → no heading #${anchor} in ${relative(ROOT, target)}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('finds a broken link when there is one (the check itself)', () => {
    expect(relativeLinks('see [a](docs/none.md#x) and [b](https://example.com) and `[c](x.md)`')).toEqual(["docs/none.md#x"]);
    expect(anchorsOf('# Performance: storms at the API’s limit\n## The bench\n## The bench')).toEqual(new Set(['performance-storms-at-the-apis-limit', 'the-bench', 'the-bench-1']));
  });
});

/** `(docs/x.md, "Heading")` pointers in what the code prints or says, and the section each names. */
function docPointers(): { where: string; file: string; heading: string }[] {
  const pointers: { where: string; file: string; heading: string }[] = [];
  const sources = ['bin', 'cli', 'functions', 'infra', 'local'].flatMap((folder) =>
    readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.ts')).map((name) => join(folder, name)),
  );
  for (const source of sources) {
    const text = readFileSync(join(ROOT, source), 'utf8');
    for (const match of text.matchAll(/\((?:contract: )?(README(?:\.md)?|docs\/[\w-]+\.md), (?:"([^"]+)"|`([^`]+)`)[);]/g)) {
      pointers.push({ where: `${source}:${text.slice(0, match.index).split('\n').length}`, file: match[1].startsWith('README') ? 'README.md' : match[1], heading: match[2] ?? match[3] });
    }
  }
  return pointers;
}

describe('pointers into the docs from the code', () => {
  it('name a file and a heading that exist (e.g. doctor\'s "(docs/slack.md, "The Slack app")")', () => {
    const pointers = docPointers();
    expect(pointers.length).toBeGreaterThan(0);
    const broken = pointers.filter(({ file, heading }) => {
      const path = join(ROOT, file);
      return !existsSync(path) || !anchorsOf(readFileSync(path, 'utf8')).has(anchorOf(heading));
    });
    expect(broken.map(({ where, file, heading }) => `${where} → no "${heading}" in ${file}`)).toEqual([]);
  });
});

describe("README's diagram", () => {
  it('names every state of the workflow', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const diagram = /```mermaid\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const names: string[] = [];
    const collect = (states: Record<string, { Branches?: { States: Record<string, unknown> }[] }>) => {
      for (const [name, state] of Object.entries(states)) {
        names.push(name);
        for (const branch of state.Branches ?? []) collect(branch.States as never);
      }
    };
    collect(JSON.parse(readFileSync(join(ROOT, ASL_FILE), 'utf8')).States);

    expect(names.length).toBeGreaterThan(40);
    expect(names.filter((name) => !new RegExp(`\\b${name}\\b`).test(diagram))).toEqual([]);
  });
});
