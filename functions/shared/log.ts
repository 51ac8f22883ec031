import { Logger } from '@aws-lambda-powertools/logger';

/** The few logging calls handlers make; Powertools in Lambda, a stderr writer locally. */
export interface Log {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

const baseLogger = new Logger({ serviceName: 'scp-guardian' });

/** Structured JSON logs in Lambda; every line carries the incident id once it is known. */
export function lambdaLog(incidentId?: string): Log {
  const logger = incidentId === undefined ? baseLogger : baseLogger.createChild({ persistentKeys: { incidentId } });
  return {
    debug: (m, e) => logger.debug(m, e ?? {}),
    info: (m, e) => logger.info(m, e ?? {}),
    warn: (m, e) => logger.warn(m, e ?? {}),
    error: (m, e) => logger.error(m, e ?? {}),
  };
}

export const silentLog: Log = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
