/**
 * Turns a failure that ends a command into one clear line on stderr and an exit code.
 * Expected failures ({@link AppError}: bad config, unreachable database, schema too new, …)
 * print only their message; anything else also prints its stack, since it is a bug.
 */
import { isAppError } from '../domain/errors.ts';

/** Prints the failure and returns the process exit code to use. */
export function reportFatal(
  error: unknown,
  stderr: NodeJS.WritableStream = process.stderr,
): number {
  if (isAppError(error)) {
    stderr.write(`bulk-change: ${error.message} [${error.code}]\n`);
    return 1;
  }
  const err = error instanceof Error ? error : new Error(String(error));
  stderr.write(`bulk-change: unexpected error: ${err.message}\n${err.stack ?? ''}\n`);
  return 2;
}
