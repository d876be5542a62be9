/**
 * Finding out whether a provisioning action that failed ambiguously (timeout, connection lost,
 * 500/502/504, unreadable 2xx) was applied anyway — before anything repeats it. Provisioning
 * actions are not idempotent (each consumes the line's 5-per-day budget), so the client never
 * retries one blindly.
 *
 * ThingSpace's documented way to check (ThingSpace "Suspend a Line of Service" tutorial) is the
 * device's provisioning history: an event of the action's type since the call started means the
 * request was taken. The simulator records the carrier request id in the event's
 * `extendedAttributes` (`RequestId`) [INF: real events may not carry it]; when the event has no
 * id the lookup says "applied, id unknown" (ambiguous, not retried) rather than risk a duplicate.
 */
import { ErrorCode } from '../../../domain/errors.ts';
import { thingSpaceClientError } from './thingspace-errors.ts';
import { eventAttribute } from './thingspace-mapper.ts';
import type { ProvisioningEvent, ThingSpaceDeviceId } from './thingspace-wire.ts';

/** What a provisioning action returns: the carrier request id, completed asynchronously. */
export interface ProvisioningAccepted {
  requestId: string;
  /** True when the id was recovered by a lookup after an ambiguous failure. */
  recovered: boolean;
}

/** Event types the simulator (and this lookup) use per action. */
export const PROVISIONING_EVENT_TYPES = {
  activate: 'Activate',
  suspend: 'Suspend',
  restore: 'Restore',
  deactivate: 'Deactivate',
  changeServicePlan: 'Change Service Plan',
  changeIdentifier: 'Change Device Identifier',
  updateCustomFields: 'Update Custom Fields',
} as const;

/** An action with a provisioning event. */
export type ProvisioningAction = keyof typeof PROVISIONING_EVENT_TYPES;

/** Dependencies of {@link createProvisioningLookup}. */
export interface ProvisioningLookupOptions {
  /** Reads the device's provisioning history between two instants. */
  history(
    deviceId: ThingSpaceDeviceId,
    earliest: Date,
    latest: Date,
    signal: AbortSignal,
  ): Promise<ProvisioningEvent[]>;
  now: () => number;
  /** Events this much older than the call's start still count (clock skew). */
  windowMs: number;
}

/** Builds lookups and remembers the request ids this client already owns. */
export interface ProvisioningLookup {
  /** A lookup for one action on one device, started at `startedAt`. */
  forAction(
    action: ProvisioningAction,
    deviceId: ThingSpaceDeviceId,
    startedAt: number,
  ): (signal: AbortSignal) => Promise<ProvisioningAccepted | undefined>;
  /** Notes a request id returned to a caller (never mistaken for a lost write later). */
  remember(requestId: string): void;
}

const KNOWN_IDS_KEPT = 1000;

/**
 * Creates the lookup helper of one client.
 *
 * @example
 * const lookup = createProvisioningLookup({ history, now: Date.now, windowMs: 120_000 });
 * runner.run(send, { idempotent: false, lookup: lookup.forAction('suspend', id, Date.now()) });
 */
export function createProvisioningLookup(options: ProvisioningLookupOptions): ProvisioningLookup {
  const known = new Set<string>();
  const remember = (requestId: string) => {
    known.add(requestId);
    if (known.size > KNOWN_IDS_KEPT) {
      const oldest = known.values().next().value;
      if (oldest !== undefined) known.delete(oldest);
    }
  };

  return {
    remember,
    forAction(action, deviceId, startedAt) {
      const eventType = PROVISIONING_EVENT_TYPES[action];
      return async (signal) => {
        const since = startedAt - options.windowMs;
        // A failing history call propagates: the resilience policy then reports the write as
        // ambiguous and does not resend it.
        const events = await options.history(
          deviceId,
          new Date(since),
          new Date(options.now() + options.windowMs),
          signal,
        );
        const candidates = events
          .filter((e) => e.eventType === eventType && Date.parse(e.occurredAt) >= since)
          .map((e) => eventAttribute(e, 'RequestId'))
          .filter((id) => id === undefined || !known.has(id));
        if (candidates.length === 0) return undefined;
        const requestId = candidates.find((id) => id !== undefined);
        if (requestId === undefined) {
          throw thingSpaceClientError(
            ErrorCode.INTEGRATION_BAD_RESPONSE,
            `${action} was applied (provisioning history shows it) but its request id is unknown; not repeated`,
            { operation: action, deviceId: deviceId.id, ambiguous: true },
          );
        }
        remember(requestId);
        return { requestId, recovered: true };
      };
    },
  };
}
