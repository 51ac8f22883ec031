import fc from 'fast-check';
import { findJsonSyntaxError } from '../../../cli/config/json-syntax';

const parses = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** Valid JSON with one character taken out, put in or replaced: the mistakes people make by hand. */
const nearlyJson = fc
  .tuple(fc.json(), fc.nat(), fc.constantFrom('delete', 'insert', 'replace'), fc.constantFrom(',', '}', ']', '"', ':', ' ', '/', "'", '\n', 'x', '1', '{', '['))
  .map(([json, at, edit, char]) => {
    const i = json.length === 0 ? 0 : at % json.length;
    if (edit === 'delete') return json.slice(0, i) + json.slice(i + 1);
    if (edit === 'insert') return json.slice(0, i) + char + json.slice(i);
    return json.slice(0, i) + char + json.slice(i + 1);
  });

describe('finding where a rules file stops being JSON', () => {
  it('finds a mistake exactly when JSON.parse refuses the text', () => {
    fc.assert(
      fc.property(fc.oneof(nearlyJson, fc.json(), fc.string()), (text) => {
        expect(findJsonSyntaxError(text) === undefined).toBe(parses(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('places the mistake inside the text, or just after its end', () => {
    fc.assert(
      fc.property(nearlyJson, (text) => {
        const mistake = findJsonSyntaxError(text);
        if (mistake === undefined) return;
        const lines = text.split('\n');
        expect(mistake.line).toBeGreaterThanOrEqual(1);
        expect(mistake.line).toBeLessThanOrEqual(lines.length);
        expect(mistake.column).toBeGreaterThanOrEqual(1);
        expect(mistake.column).toBeLessThanOrEqual(lines[mistake.line - 1].length + 1);
      }),
      { numRuns: 1000 },
    );
  });

  it('counts lines and columns from 1', () => {
    expect(findJsonSyntaxError('{\n  "a": 1\n  "b": 2\n}')).toEqual({ line: 3, column: 3, problem: 'a comma is missing before this property', lineText: '  "b": 2' });
  });
  it('scans any depth of nesting without running out of stack', () => {
    expect(findJsonSyntaxError('['.repeat(100_000) + ']'.repeat(100_000))).toBeUndefined();
    expect(findJsonSyntaxError(`${'{"a":['.repeat(50_000)}1${']}'.repeat(50_000)}`)).toBeUndefined();
    expect(findJsonSyntaxError(`${'['.repeat(3000)}\n`)).toMatchObject({ line: 2, column: 1, problem: expect.stringContaining('found the end of the file') });
  });
});
