/**
 * Pure mapping between the client's typed values and Telegence wire bodies: subscriber
 * number normalisation, PATCH bodies, activation batches, and the line / activation views
 * built from `serviceCharacteristic` lists.
 */
import {
  characteristicValue,
  TELEGENCE_MAX_ACTIVATIONS_PER_REQUEST,
  TELEGENCE_SERVICE_NOT_FOUND_DESCRIPTION,
  type TelegenceActivationRecord,
  type TelegenceActivationRequest,
  TelegenceActivationStatus,
  type TelegenceDeviceListEntry,
  type TelegenceLineResponse,
  type TelegencePatchLineBody,
  type TelegenceStatusAction,
  TelegenceStatusMode,
} from './telegence-wire.ts';

/** A line as {@link TelegenceLineResponse} describes it, with the fields callers use named. */
export interface TelegenceLine {
  /** 10-digit MDN. */
  subscriberNumber: string;
  /** `subscriberStatus`: `A`, `S`, `C` or `R` (reserved). */
  status: string;
  statusEffectiveDate: string | undefined;
  statusReasonCode: string | undefined;
  /** `singleUserCode`: the carrier rate plan. */
  ratePlanCode: string | undefined;
  ratePlanDescription: string | undefined;
  /** `sim`: the ICCID. */
  iccid: string | undefined;
  /** `BLIMEI`, else `NWIMEI`, else `IMEI`. */
  imei: string | undefined;
  serviceZipCode: string | undefined;
  billingAccountNumber: string | undefined;
  ipAddress: string | undefined;
  /** `offeringCode{n}` with their description and dates, in `n` order. */
  offerings: TelegenceOffering[];
  /** Every characteristic by name (last one wins). */
  characteristics: Record<string, string>;
}

/** A feature/SOC on a line. */
export interface TelegenceOffering {
  code: string;
  description: string | undefined;
  effectiveDate: string | undefined;
  expirationDate: string | undefined;
}

/** A line as the device list shows it. */
export interface TelegenceListedLine {
  subscriberNumber: string;
  status: string;
  iccid: string | undefined;
  imei: string | undefined;
  ratePlanCode: string | undefined;
  billingAccountNumber: string | undefined;
}

/** One line of an activation, as the POST or the status GET reports it. */
export interface TelegenceActivationLine {
  /** `sim` characteristic of the record. */
  iccid: string | undefined;
  imei: string | undefined;
  /** MDN, once assigned (from `reserved` on). */
  subscriberNumber: string | undefined;
  /** `service.status`, lower-cased: `pending`, `reserved`, `active`, `rejected`, … */
  status: string;
  interactionStatus: string | undefined;
  dateComplete: string | undefined;
  /** `service.error` as text, when the vendor gave one. */
  error: string | undefined;
  /** `service.name == "/service/"`: the device needs an eSIM profile. */
  esimRequired: boolean;
}

/**
 * Normalises an MSISDN to the 10-digit subscriber number Telegence uses: separators and a
 * leading `+` removed, a leading country code `1` of an 11-digit number removed.
 * Returns undefined when the result is not 10 digits.
 *
 * @example
 * toSubscriberNumber('+1 (214) 555-0123'); // '2145550123'
 */
export function toSubscriberNumber(msisdn: string): string | undefined {
  const digits = msisdn
    .trim()
    .replace(/[\s\-.()]/g, '')
    .replace(/^\+/, '');
  if (/^1\d{10}$/.test(digits)) return digits.slice(1);
  return /^\d{10}$/.test(digits) ? digits : undefined;
}

/**
 * Formats an effective date: a `Date` as ISO 8601 UTC without milliseconds; a string as
 * given (the caller's own format, e.g. from a stored request).
 */
export function formatEffectiveDate(value: Date | string): string {
  return typeof value === 'string' ? value : value.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Body of a rate plan change. */
export function ratePlanBody(ratePlanCode: string, effectiveDate: string): TelegencePatchLineBody {
  return {
    effectiveDate,
    serviceCharacteristic: [{ name: 'singleUserCode', value: ratePlanCode }],
  };
}

/** Body of a status change (`mode` + `reasonCode` [+ `effectiveDate`]). */
export function statusBody(
  action: TelegenceStatusAction,
  reasonCode: string,
  effectiveDate: string | undefined,
): TelegencePatchLineBody {
  return {
    mode: TelegenceStatusMode[action],
    reasonCode,
    ...(effectiveDate === undefined ? {} : { effectiveDate }),
  };
}

/** What a SIM/IMEI swap sends. */
export interface TelegenceSwapInput {
  /** New (or current) ICCID: the `sim` characteristic. */
  iccid?: string;
  /** New (or current) IMEI: the `IMEI` characteristic. */
  imei?: string;
  /** Swap reason, e.g. `CUST_OWN_EQU`. */
  reasonCode: string;
  serviceZipCode?: string;
  /** e.g. `LTE`. */
  technologyType?: string;
}

/** Body of a SIM/IMEI swap: characteristics in the original's order, absent ones left out. */
export function swapBody(input: TelegenceSwapInput): TelegencePatchLineBody {
  const pairs: [string, string | undefined][] = [
    ['reasonCode', input.reasonCode],
    ['serviceZipCode', input.serviceZipCode],
    ['technologyType', input.technologyType],
    ['IMEI', input.imei],
    ['sim', input.iccid],
  ];
  return {
    serviceCharacteristic: pairs
      .filter((p): p is [string, string] => p[1] !== undefined)
      .map(([name, value]) => ({ name, value })),
  };
}

/** Body of an offering (SOC) removal; `effectiveDate` is sent empty, as the original does. */
export function removeOfferingBody(offeringCode: string): TelegencePatchLineBody {
  return {
    serviceCharacteristic: [{ name: 'removeOfferingCode', value: offeringCode }],
    effectiveDate: '',
  };
}

/** An activation record without its `removeOfferingCode` characteristics (never sent). */
export function withoutRemoveOfferings(
  request: TelegenceActivationRequest,
): TelegenceActivationRequest {
  return {
    ...request,
    service: {
      ...request.service,
      serviceCharacteristic: request.service.serviceCharacteristic.filter(
        (c) => c.name !== 'removeOfferingCode',
      ),
    },
  };
}

/**
 * Splits activation records into batches of at most `size` (the API takes 200 per request).
 *
 * @example
 * for (const batch of splitActivationBatches(records)) await client.activateServices(batch);
 */
export function splitActivationBatches<T>(
  records: readonly T[],
  size = TELEGENCE_MAX_ACTIVATIONS_PER_REQUEST,
): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < records.length; i += size) batches.push(records.slice(i, i + size));
  return batches;
}

/** ICCID (`sim`) of an activation request record. */
export function activationIccid(request: TelegenceActivationRequest): string | undefined {
  return characteristicValue(request.service.serviceCharacteristic, 'sim');
}

/** Builds the line view of a GET body. */
export function toLine(body: TelegenceLineResponse, subscriberNumber: string): TelegenceLine {
  const characteristics: Record<string, string> = {};
  for (const c of body.serviceCharacteristic) characteristics[c.name] = c.value;
  const get = (name: string): string | undefined => {
    const value = characteristics[name];
    return value === undefined || value === '' ? undefined : value;
  };
  const offerings: TelegenceOffering[] = [];
  const indexes = Object.keys(characteristics)
    .map((name) => /^offeringCode(\d+)$/.exec(name)?.[1])
    .filter((n): n is string => n !== undefined)
    .sort((a, b) => Number(a) - Number(b));
  for (const n of indexes) {
    const code = get(`offeringCode${n}`);
    if (code === undefined) continue;
    offerings.push({
      code,
      description: get(`offeringDescription${n}`),
      effectiveDate: get(`offeringEffectiveDate${n}`),
      expirationDate: get(`offeringExpirationDate${n}`),
    });
  }
  return {
    subscriberNumber: body.subscriberNumber ?? subscriberNumber,
    status: get('subscriberStatus') ?? '',
    statusEffectiveDate: get('statusEffectiveDate'),
    statusReasonCode: get('statusReasonCode'),
    ratePlanCode: get('singleUserCode'),
    ratePlanDescription: get('singleUserCodeDescription'),
    iccid: get('sim'),
    imei: get('BLIMEI') ?? get('NWIMEI') ?? get('IMEI'),
    serviceZipCode: get('serviceZipCode'),
    billingAccountNumber: get('billingAccountNumber'),
    ipAddress: get('ipAddress'),
    offerings,
    characteristics,
  };
}

/** Builds the view of one device-list entry. */
export function toListedLine(entry: TelegenceDeviceListEntry): TelegenceListedLine {
  return {
    subscriberNumber: entry.subscriberNumber,
    status: entry.subscriberStatus,
    iccid: entry.sim,
    imei: entry.imei,
    ratePlanCode: entry.singleUserCode,
    billingAccountNumber: entry.billingAccountNumber,
  };
}

/** Builds the view of one activation record. */
export function toActivationLine(record: TelegenceActivationRecord): TelegenceActivationLine {
  const chars = record.service.serviceCharacteristic;
  const error = record.service.error;
  return {
    iccid: characteristicValue(chars, 'sim'),
    imei: characteristicValue(chars, 'IMEI'),
    subscriberNumber: record.service.subscriberNumber ?? undefined,
    status: (record.service.status ?? '').toLowerCase(),
    interactionStatus: record.interactionStatus,
    dateComplete: record.interactionDateComplete ?? undefined,
    error:
      error === undefined || error === null || error === ''
        ? undefined
        : typeof error === 'string'
          ? error
          : JSON.stringify(error),
    esimRequired: record.service.name === TELEGENCE_SERVICE_NOT_FOUND_DESCRIPTION,
  };
}

/** True once no line of the activation is pending or reserved (the original's "processed"). */
export function isActivationProcessed(lines: readonly TelegenceActivationLine[]): boolean {
  return lines.every(
    (l) =>
      l.status !== TelegenceActivationStatus.Pending &&
      l.status !== TelegenceActivationStatus.Reserved,
  );
}
