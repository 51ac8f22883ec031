import type { Log } from '../functions/shared/log';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

/**
 * Structured log lines on stderr for the local runner, so stdout carries only the results
 * (`--json` prints one document there and nothing else).
 */
export function stderrLog(level: LogLevel = 'warn', write: (line: string) => void = (line) => process.stderr.write(line)): (incidentId?: string) => Log {
  return (incidentId) => {
    const emit = (at: LogLevel) => (message: string, extra?: Record<string, unknown>) => {
      if (RANK[at] < RANK[level]) return;
      write(`${JSON.stringify({ level: at.toUpperCase(), message, ...(incidentId ? { incidentId } : {}), ...extra })}\n`);
    };
    return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
  };
}
