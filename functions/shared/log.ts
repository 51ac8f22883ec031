import { Logger } from '@aws-lambda-powertools/logger';

/** The few logging calls handlers make; Powertools in Lambda, a stderr writer locally. */
export interface Log {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

const baseLogger = new Logger({ serviceName: 'scp-guardian' });

/** Lambda's context onto every log line of the invocation (function name, request id, cold start); lambdaHandler calls it. */
export function addLambdaContext(context: Parameters<Logger['addContext']>[0]): void {
  baseLogger.addContext(context);
}

/**
 * Structured JSON logs in Lambda; every line carries the incident id once it is known. The id is
 * a key of each line, not a child logger's: a child would count its own cold start.
 */
export function lambdaLog(incidentId?: string): Log {
  const keys = incidentId === undefined ? {} : { incidentId };
  return {
    debug: (m, e) => baseLogger.debug(m, { ...keys, ...e }),
    info: (m, e) => baseLogger.info(m, { ...keys, ...e }),
    warn: (m, e) => baseLogger.warn(m, { ...keys, ...e }),
    error: (m, e) => baseLogger.error(m, { ...keys, ...e }),
  };
}

export const silentLog: Log = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
