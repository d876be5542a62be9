/**
 * What the Telegence handlers share: reading a device change's request with the change type's
 * schema, the subscriber number of a device, log rows of carrier calls, and failure texts.
 */
import type { z } from 'zod';
import { predicateErrorMap, toValidationIssues } from '../../domain/zod-issues.ts';
import type { HandlerContext } from '../engine/change-handler.ts';
import type { DeviceResult, LogEntry } from '../ports/engine-store.ts';
import type { TelegenceDeviceRow } from '../ports/telegence-store.ts';

/** Text of a failure (message of an error, else its string form). */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** True for an error the engine retries (retryable integration errors, unexpected errors). */
export function isRetryable(error: unknown): boolean {
  const flag = (error as { retryable?: unknown } | null)?.retryable;
  return typeof flag === 'boolean' ? flag : true;
}

/**
 * Parses the device change's request (bulk request with the device's own fields over it) with
 * a change type's schema; the failure text names every field at fault.
 */
export function readRequest<S extends z.ZodType>(
  schema: S,
  request: Record<string, unknown>,
): { ok: true; value: z.output<S> } | { ok: false; error: string } {
  const parsed = schema.safeParse(request, { error: predicateErrorMap });
  if (parsed.success) return { ok: true, value: parsed.data };
  const issues = toValidationIssues(parsed.error.issues).map((i) => i.message);
  return { ok: false, error: `Invalid request: ${issues.join('; ')}` };
}

/** A failed result with its pre-flight log row (nothing was sent to the carrier). */
export function preflightFailure(
  ctx: Pick<HandlerContext, 'log'>,
  description: string,
  message: string,
): DeviceResult {
  ctx.log({
    description: `${description}: Pre-flight Check`,
    hasErrors: true,
    errorText: message,
    responseStatus: 'API_FAILED',
  });
  return { kind: 'failed', details: message, error: message };
}

/**
 * The subscriber number (MSISDN) of a device change: its own, else its device's, else its
 * identifier when that is an MSISDN.
 */
export function subscriberOf(
  ctx: Pick<HandlerContext, 'change'>,
  device: TelegenceDeviceRow | undefined,
): string | undefined {
  const change = ctx.change;
  return (
    change.msisdn ??
    device?.msisdn ??
    (change.identifierKind === 'msisdn' ? change.identifier : undefined) ??
    undefined
  );
}

/**
 * Log row of a carrier call: request as sent (secrets are never part of it: Telegence takes
 * its credentials in headers), response or error, status PROCESSED / ERROR.
 */
export function apiLog<T>(
  description: string,
  request: unknown,
  outcome: { ok: true; result: T } | { ok: false; error: unknown },
): LogEntry {
  return {
    description,
    requestText: JSON.stringify(request),
    responseText: outcome.ok ? JSON.stringify(outcome.result) : undefined,
    responseStatus: outcome.ok ? 'PROCESSED' : 'ERROR',
    hasErrors: !outcome.ok,
    errorText: outcome.ok ? undefined : errorText(outcome.error),
  };
}
