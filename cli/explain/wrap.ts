/**
 * `text` in lines of at most `width` columns (a word longer than that keeps its own line), the
 * first line after `indent`, the others after `indent` and two more spaces.
 */
export function wrap(text: string, width: number, indent = ''): string[] {
  const lines: string[] = [];
  let line = indent;
  for (const word of text.split(' ').filter((w) => w !== '')) {
    const start = line.trim() === '';
    if (!start && line.length + 1 + word.length > width) {
      lines.push(line);
      line = `${indent}  ${word}`;
    } else line = start ? `${line}${word}` : `${line} ${word}`;
  }
  lines.push(line);
  return lines;
}
