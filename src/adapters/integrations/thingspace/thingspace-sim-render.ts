/**
 * How the ThingSpace simulator renders its state on the wire: devices as
 * `devices/actions/list` returns them and provisioning-history events.
 */
import { deviceIdsOfLine, type SimDevice } from './thingspace-sim-state.ts';

const iso = (ms: number | null) => (ms === null ? undefined : new Date(ms).toISOString());
const pairs = (record: Record<string, string>) =>
  Object.entries(record).map(([key, value]) => ({ key, value }));

/** A line as the device list shows it. */
export function renderDevice(line: SimDevice, now: number): Record<string, unknown> {
  const cycleEnd = new Date(now);
  cycleEnd.setUTCMonth(cycleEnd.getUTCMonth() + 1, 0);
  return {
    accountName: line.accountName,
    billingCycleEndDate: cycleEnd.toISOString().slice(0, 10),
    carrierInformations: [
      {
        carrierName: 'Verizon Wireless',
        ...(line.servicePlan === null ? {} : { servicePlan: line.servicePlan }),
        state: line.state,
      },
    ],
    connected: line.state === 'active',
    createdAt: iso(line.createdAt),
    deviceIds: deviceIdsOfLine(line),
    extendedAttributes: pairs(line.extendedAttributes),
    customFields: pairs(line.customFields),
    groupNames: [`Default: ${line.accountName}`],
    ...(line.ipAddress === null ? {} : { ipAddress: line.ipAddress }),
    ...(line.lastActivationBy === null ? {} : { lastActivationBy: line.lastActivationBy }),
    ...(line.lastActivationDate === null
      ? {}
      : { lastActivationDate: iso(line.lastActivationDate) }),
    ...(line.state === 'active' ? { lastConnectionDate: iso(now - 3_600_000) } : {}),
  };
}

/**
 * Provisioning events of a line between two instants, newest first. The carrier request id is
 * kept in `extendedAttributes` (`RequestId`) [INF].
 */
export function renderHistory(
  line: SimDevice,
  from: number,
  to: number,
): Record<string, unknown>[] {
  return line.history
    .filter((e) => e.occurredAt >= from && e.occurredAt <= to)
    .sort((a, b) => b.occurredAt - a.occurredAt)
    .map((e) => ({
      occurredAt: iso(e.occurredAt),
      status: e.status,
      eventBy: e.eventBy,
      eventType: e.eventType,
      ...(line.servicePlan === null ? {} : { servicePlan: line.servicePlan }),
      ...(line.msisdn === null ? {} : { msisdn: line.msisdn, mdn: line.msisdn.slice(-10) }),
      extendedAttributes: [{ key: 'RequestId', value: e.requestId }],
    }));
}
