/**
 * Pure helpers between ThingSpace wire shapes and what the rest of the service needs: device
 * identifier lists in the order the vendor documents, a flat summary of a listed device, and
 * the primary-place-of-use attributes the original reads back from `extendedAttributes`.
 */
import type {
  ProvisioningEvent,
  ThingSpaceDevice,
  ThingSpaceDeviceId,
  ThingSpaceKeyValue,
} from './thingspace-wire.ts';

/**
 * Identifiers of a 4G device: IMEI first, then ICCID, as the vendor documents it (the original
 * sends ICCID first; the simulator accepts both orders).
 */
export function deviceIdsOf(iccid: string, imei?: string | null): ThingSpaceDeviceId[] {
  const ids: ThingSpaceDeviceId[] = [];
  if (imei !== undefined && imei !== null && imei !== '') ids.push({ id: imei, kind: 'imei' });
  ids.push({ id: iccid, kind: 'iccid' });
  return ids;
}

/** A listed device, flattened. */
export interface ThingSpaceDeviceSummary {
  accountName: string;
  iccid: string | undefined;
  imei: string | undefined;
  msisdn: string | undefined;
  mdn: string | undefined;
  /** Carrier state: `active`, `suspend`, `deactive`, `preactive`, … */
  state: string | undefined;
  servicePlan: string | undefined;
  ipAddress: string | undefined;
  customFields: Record<string, string>;
  extendedAttributes: Record<string, string>;
}

/**
 * Flattens a device of a list answer.
 *
 * @example
 * summarizeDevice(device).state; // 'active'
 */
export function summarizeDevice(device: ThingSpaceDevice): ThingSpaceDeviceSummary {
  const id = (kind: string) =>
    device.deviceIds.find((d) => d.kind.toLowerCase() === kind)?.id ?? undefined;
  const carrier = device.carrierInformations[0];
  return {
    accountName: device.accountName,
    iccid: id('iccid'),
    imei: id('imei'),
    msisdn: id('msisdn'),
    mdn: id('mdn'),
    state: carrier?.state,
    servicePlan: carrier?.servicePlan,
    ipAddress: device.ipAddress,
    customFields: toRecord(device.customFields),
    extendedAttributes: toRecord(device.extendedAttributes),
  };
}

/** `extendedAttributes` keys holding the primary place of use (as the original reads them). */
export const PPU_ATTRIBUTE_KEYS = {
  firstName: 'PrimaryPlaceOfUseFirstName',
  lastName: 'PrimaryPlaceOfUseLastName',
  addressLine1: 'PrimaryPlaceOfUseAddressLine1',
  city: 'PrimaryPlaceOfUseCity',
  state: 'PrimaryPlaceOfUseState',
  zip: 'PrimaryPlaceOfUseZipCode',
  country: 'PrimaryPlaceOfUseCountry',
} as const;

/** Value of one extended attribute of a provisioning event. */
export function eventAttribute(event: ProvisioningEvent, key: string): string | undefined {
  return event.extendedAttributes?.find((a) => a.key.toLowerCase() === key.toLowerCase())?.value;
}

function toRecord(
  pairs: ReadonlyArray<Pick<ThingSpaceKeyValue, 'key'> & { value?: string }> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs ?? []) out[pair.key] = pair.value ?? '';
  return out;
}
