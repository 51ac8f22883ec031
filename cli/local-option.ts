import { Option } from 'commander';

/** `scp-guardian local --serve`'s default address: what `--local` without a URL talks to. */
export const DEFAULT_LOCAL_URL = 'http://127.0.0.1:8787';

/**
 * `--local [url]`, with one meaning in every command: the local runner instead of AWS. With a URL,
 * the `scp-guardian local --serve` listening there; without one, the commands that read the
 * audit trail read the local data folder (`--data-dir`), and the others talk to the server on its
 * default address.
 */
export function localOption(withoutUrl: string): Option {
  return new Option('--local [url]', `the local runner instead of AWS: the \`scp-guardian local --serve\` at URL; without a URL, ${withoutUrl}`);
}

/** The server URL `--local` names: its value, or the default address when it was given alone. */
export function localServerUrl(value: string | true): string {
  return value === true ? DEFAULT_LOCAL_URL : value;
}

/** The base URL of a `local --serve`, checked; `error` builds the command's own error. */
export function parseLocalUrl(text: string, error: (message: string) => Error): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw error(`--local: ${JSON.stringify(text)} is not a URL (e.g. ${DEFAULT_LOCAL_URL})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw error(`--local: ${JSON.stringify(text)} is not an http URL (e.g. ${DEFAULT_LOCAL_URL})`);
  return url.href.endsWith('/') ? url : new URL(`${url.href}/`);
}
