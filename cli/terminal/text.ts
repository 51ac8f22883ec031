/**
 * Text from CloudTrail and from people (user agents, reasons) reaches the terminal: control
 * characters could move the cursor or recolour the screen, so they are shown as `?`, and line
 * breaks as spaces.
 */
export function printable(text: string): string {
  return text.replace(/[\t\r\n]/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/** Shortens `text` to `width` characters, keeping its start and end around an ellipsis. */
export function truncateMiddle(text: string, width: number): string {
  if (text.length <= width) return text;
  if (width <= 1) return '…'.slice(0, width);
  const tail = Math.ceil((width - 1) / 2);
  return `${text.slice(0, width - 1 - tail)}…${text.slice(text.length - tail)}`;
}

/** Shortens `text` to `width` characters keeping its end, where an ARN names the role or user. */
export function truncateStart(text: string, width: number): string {
  if (text.length <= width) return text;
  if (width <= 1) return '…'.slice(0, width);
  return `…${text.slice(text.length - width + 1)}`;
}

/** Shortens `text` to `width` characters keeping its start: a detail that `--wide` shows whole. */
export function truncateEnd(text: string, width: number): string {
  if (text.length <= width) return text;
  if (width <= 1) return '…'.slice(0, width);
  return `${text.slice(0, width - 1)}…`;
}

/**
 * `text` in lines of at most `width` characters, broken at spaces: the first line starts with
 * `first`, the others with `rest` (a hanging indent). A word longer than its line (an ARN) is
 * cut into pieces rather than left to overflow.
 */
export function wrap(text: string, width: number, first = '', rest = first): string[] {
  const lines: string[] = [];
  let line = first;
  let words = 0;
  // Each word with the spaces before it, so that spacing within a line stays as it was.
  for (const spaced of text.match(/ *[^ ]+/g) ?? []) {
    if (words > 0 && line.length + spaced.length <= width) {
      line += spaced;
      continue;
    }
    if (words > 0) {
      lines.push(line);
      line = rest;
    }
    // The text's own indent stays on its first line.
    let word = lines.length === 0 && words === 0 ? spaced : spaced.trimStart();
    while (line.length + word.length > width) {
      const cut = Math.max(1, width - line.length);
      lines.push(line + word.slice(0, cut));
      word = word.slice(cut);
      line = rest;
    }
    line += word;
    words++;
  }
  lines.push(line);
  return lines.map((l) => l.trimEnd());
}

/** A label and its value as a block: `  label     value`, the value wrapped under itself. */
export function labelled(label: string, value: string, width: number, labelWidth: number, indent = '  '): string[] {
  const head = `${indent}${label.padEnd(labelWidth)}`;
  return wrap(value, width, head, ' '.repeat(head.length));
}
