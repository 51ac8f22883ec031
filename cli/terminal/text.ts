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
