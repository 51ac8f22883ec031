/**
 * Where a text that JSON.parse refused goes wrong, by line and column, in words a person can act
 * on. Node's own messages give a position only for some mistakes (and no line at all on Node 20),
 * so the text is scanned again, by the JSON grammar (RFC 8259), up to its first mistake.
 */
export interface JsonSyntaxError {
  /** 1-based. */
  line: number;
  /** 1-based, in characters. */
  column: number;
  problem: string;
  /** The line the mistake is on, as the file has it. */
  lineText: string;
}

class Mistake {
  constructor(readonly at: number, readonly problem: string) {}
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const VALUE = 'a value (an object, array, string, number, true, false or null)';

/** The scanner: each method reads one piece of the grammar from `at` and returns where it ends. */
class Scanner {
  constructor(private readonly text: string) {}

  private skip(at: number): number {
    while (at < this.text.length && WHITESPACE.has(this.text[at])) at++;
    return at;
  }

  /** What to say about the character at `at` when `expected` should have been there. */
  private unexpected(at: number, expected: string): Mistake {
    const char = this.text[at];
    if (char === undefined) return new Mistake(at, `expected ${expected}, found the end of the file`);
    if (char === '\uFEFF') return new Mistake(at, 'the file starts with a byte order mark (BOM): save it as UTF-8 without one');
    if (char === '/') return new Mistake(at, 'comments are not allowed in JSON');
    if (char === "'") return new Mistake(at, 'JSON strings take double quotes, not single quotes');
    return new Mistake(at, `expected ${expected}, found ${JSON.stringify(char)}`);
  }

  document(): void {
    const end = this.skip(this.value(this.skip(0)));
    if (end < this.text.length) throw new Mistake(end, `more after the end of the JSON value (found ${JSON.stringify(this.text[end])}); the file holds one value`);
  }

  /** A scalar value at `at`, or undefined when a container opens there. */
  private scalar(at: number): number | undefined {
    const char = this.text[at];
    if (char === '{' || char === '[') return undefined;
    if (char === '"') return this.string(at);
    for (const word of ['true', 'false', 'null']) if (this.text.startsWith(word, at)) return at + word.length;
    NUMBER.lastIndex = at;
    if (char !== undefined && /[-\d]/.test(char) && NUMBER.test(this.text)) return NUMBER.lastIndex;
    throw this.unexpected(at, VALUE);
  }

  /**
   * One value, containers included: iterative, with the open containers on a stack of their own,
   * so that any depth of nesting is scanned (recursion would overflow the call stack).
   */
  private value(start: number): number {
    const open: { close: '}' | ']'; item: string }[] = [];
    let at = start;
    for (;;) {
      // A value begins at `at`.
      const end = this.scalar(at);
      if (end === undefined) {
        const close = this.text[at] === '{' ? '}' : ']';
        at = this.skip(at + 1);
        if (this.text[at] === close) at += 1;
        else {
          open.push({ close, item: close === '}' ? 'a property' : 'an array element' });
          at = close === '}' ? this.propertyName(at) : at;
          continue;
        }
      } else at = end;
      // A value ended at `at`: close what it ends, until an item follows a comma.
      for (;;) {
        const container = open[open.length - 1];
        if (container === undefined) return at;
        const { close, item } = container;
        at = this.skip(at);
        if (this.text[at] === close) {
          open.pop();
          at += 1;
          continue;
        }
        if (this.text[at] !== ',') {
          const another = this.text[at] !== undefined && /["{[\-\dtfn]/.test(this.text[at]);
          throw another ? new Mistake(at, `a comma is missing before this ${close === '}' ? 'property' : 'element'}`) : this.unexpected(at, `"," or "${close}" after ${item}`);
        }
        const comma = at;
        at = this.skip(at + 1);
        if (this.text[at] === close) throw new Mistake(comma, `a comma before "${close}": JSON allows no trailing comma`);
        if (close === '}') at = this.propertyName(at);
        break;
      }
    }
  }

  /** A property's name and its colon: where its value begins. */
  private propertyName(at: number): number {
    if (this.text[at] !== '"') throw this.unexpected(at, 'a property name in double quotes');
    at = this.skip(this.string(at));
    if (this.text[at] !== ':') throw this.unexpected(at, '":" after the property name');
    return this.skip(at + 1);
  }

  private string(open: number): number {
    for (let at = open + 1; at < this.text.length; at++) {
      const char = this.text[at];
      if (char === '"') return at + 1;
      if (char === '\n' || char === '\r') throw new Mistake(open, 'this string does not end on its line (a line break inside a string is written \\n)');
      if (char < ' ') throw new Mistake(at, 'a control character inside a string (write it as an escape such as \\t)');
      if (char === '\\') {
        const escape = this.text[at + 1];
        if (escape === 'u' ? !/^[0-9a-fA-F]{4}$/.test(this.text.slice(at + 2, at + 6)) : !'"\\/bfnrt'.includes(escape ?? 'x')) {
          throw new Mistake(at, `an escape JSON does not know: ${this.text.slice(at, at + (escape === 'u' ? 6 : 2))}`);
        }
        at += escape === 'u' ? 5 : 1;
      }
    }
    throw new Mistake(open, 'this string never ends (no closing double quote)');
  }
}

/** The first mistake in `text`, or undefined when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  try {
    new Scanner(text).document();
    return undefined;
  } catch (error) {
    if (!(error instanceof Mistake)) throw error;
    const before = text.slice(0, error.at);
    const lineStart = before.lastIndexOf('\n') + 1;
    const lineEnd = text.indexOf('\n', error.at);
    return {
      line: before.split('\n').length,
      column: error.at - lineStart + 1,
      problem: error.problem,
      lineText: text.slice(lineStart, lineEnd < 0 ? undefined : lineEnd).replace(/\r$/, ''),
    };
  }
}
