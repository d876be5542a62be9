/**
 * Structured JSON logging (pino). Credentials never reach the log: every field that can hold
 * one is redacted by path, wherever it appears in a logged object.
 */
import { type Logger, pino } from 'pino';
import type { LogLevel } from '../../config/config-options.ts';

/** Field paths that are always redacted. */
export const REDACTED_PATHS: readonly string[] = Object.freeze([
  'password',
  'apiKey',
  'secret',
  'token',
  'authorization',
  'credentials',
  '*.password',
  '*.apiKey',
  '*.secret',
  '*.token',
  '*.authorization',
  '*.credentials',
  'req.headers.authorization',
  'req.headers["app-secret"]',
  'req.headers["ocp-apim-subscription-key"]',
  'req.headers["vz-m2m-token"]',
]);

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  level: LogLevel;
  /** Where lines go. @default stdout */
  destination?: pino.DestinationStream;
}

/**
 * Creates the process logger.
 *
 * @example
 * const logger = createLogger({ level: 'info' });
 * logger.info({ bulkChangeId: 42 }, 'bulk change accepted');
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'device-bulk-change' },
      redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}

export type { Logger };
