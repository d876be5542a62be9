/**
 * Change-type handlers and their registry.
 *
 * A handler carries one change type to one or more integrations for ONE device change: it
 * calls carriers and billing through {@link HandlerContext.step} (so that a redelivered
 * message or a retried page never repeats a step that already happened), writes log entries,
 * and returns the device change's {@link DeviceResult}. It may also throw: an
 * `IntegrationError` is turned into retry / failure by the engine (see `classify-failure.ts`).
 */
import type { Logger } from 'pino';
import type { ChangeType } from '../../domain/change-types/change-type.ts';
import type { Integration } from '../../domain/integrations.ts';
import type {
  ClaimedDeviceChange,
  DeviceResult,
  EngineBulkChange,
  EngineServiceProvider,
  LogEntry,
} from '../ports/engine-store.ts';

/** How a step behaves when a previous attempt may have done it already. */
export interface StepOptions<T> {
  /** Repeating the step cannot apply the change twice (PUT of absolute values, reads). */
  idempotent: boolean;
  /** For non-idempotent steps: finds the result of an earlier attempt, undefined if none. */
  lookup?: () => Promise<T | undefined>;
  /** Log entry describing the step's outcome; written in the step's own transaction. */
  log?: (outcome: { ok: true; result: T } | { ok: false; error: unknown }) => LogEntry;
}

/** What a handler gets for one device change. */
export interface HandlerContext {
  readonly bulkChange: EngineBulkChange;
  readonly serviceProvider: EngineServiceProvider;
  readonly change: ClaimedDeviceChange;
  /** The bulk request with this device's own fields applied over it. */
  readonly request: Record<string, unknown>;
  /** Message flags of the original (e.g. `isFromAutomatedUpdateDeviceStatusLambda`). */
  readonly flags: Readonly<Record<string, unknown>>;
  readonly signal: AbortSignal;
  readonly logger: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
  /**
   * Runs a mutating step at most once per device change: a step completed by an earlier
   * attempt returns its recorded result without running again.
   */
  step<T>(name: string, options: StepOptions<T>, run: () => Promise<T>): Promise<T>;
  /** Adds a log entry written together with the device change's result. */
  log(entry: LogEntry): void;
  now(): Date;
}

/** Carries one change type to some integrations. */
export interface ChangeHandler {
  readonly changeType: ChangeType;
  readonly integrations: readonly Integration[];
  /** True when it writes to the carrier or billing system (refused when writes are disabled). */
  readonly writes: boolean;
  /** Label of the original's log descriptions, e.g. "Update Jasper Rate Plan". */
  readonly description: string;
  handle(ctx: HandlerContext): Promise<DeviceResult>;
}

/** Finds the handler of a (change type, integration) pair. */
export interface HandlerRegistry {
  find(changeType: ChangeType, integration: Integration): ChangeHandler | undefined;
  list(): readonly ChangeHandler[];
}

/**
 * Creates a registry; two handlers for the same pair is a programming error.
 *
 * @example
 * const registry = createHandlerRegistry([jasperCarrierRatePlanHandler(clients)]);
 * registry.find('CarrierRatePlanChange', 'POD19');
 */
export function createHandlerRegistry(handlers: readonly ChangeHandler[]): HandlerRegistry {
  const byKey = new Map<string, ChangeHandler>();
  for (const handler of handlers) {
    for (const integration of handler.integrations) {
      const key = `${handler.changeType}/${integration}`;
      if (byKey.has(key)) throw new Error(`two handlers registered for ${key}`);
      byKey.set(key, handler);
    }
  }
  return {
    find: (changeType, integration) => byKey.get(`${changeType}/${integration}`),
    list: () => [...handlers],
  };
}
