/**
 * Wire format of Cisco IoT Control Center ("Jasper") REST API v1, as documented in
 * carrier-apis.md §1: device details, the edit-device body, the audit trail, device search and
 * the error envelope. Client and simulator share these schemas, so what one sends the other
 * validates.
 *
 * Response schemas are loose (unknown fields are kept, absent optional fields are fine) because
 * operators add fields; the edit request schema is strict (the simulator rejects unknown
 * fields, which catches client typos).
 */
import { z } from 'zod';

/** SIM status values of Control Center (§1.4); operators may add their own. */
export const JASPER_STATUSES = [
  'ACTIVATED',
  'ACTIVATION_READY',
  'DEACTIVATED',
  'INVENTORY',
  'PURGED',
  'REPLACED',
  'RETIRED',
  'TEST_READY',
] as const;

/** One standard Control Center SIM status. */
export type JasperStatus = (typeof JASPER_STATUSES)[number];

/**
 * Vendor error codes (`errorCode`, 8-digit strings). The first group is documented or seen in
 * public code (§1.5); the codes marked [INF] are not published and were chosen for the
 * simulator — clients must not depend on them beyond "a 4xx business error".
 */
export const JASPER_ERROR_CODES = {
  invalidCredentials: '10000001',
  missingParameter: '10000003',
  invalidApiVersion: '10000024',
  preActivationNotAllowed: '10000029',
  alreadyActivated: '10030000',
  notPurged: '1000512',
  rateLimitExceeded: '40000029',
  /** [INF] malformed JSON body or unknown field. */
  invalidRequest: '10000002',
  /** [INF] unknown ICCID. */
  resourceNotFound: '20000001',
  /** [INF] status value not known to the operator. */
  invalidStatus: '10000020',
  /** [INF] rate plan not available to the account. */
  invalidRatePlan: '10000021',
  /** [INF] communication plan not available to the account. */
  invalidCommunicationPlan: '10000022',
  /** [INF] effectiveDate unparsable or more than 180 days ahead. */
  invalidEffectiveDate: '10000023',
  /** [INF] internal server error. */
  serverError: '50000001',
} as const;

/** The error envelope `{ errorMessage, errorCode }`. */
export const jasperErrorBodySchema = z.looseObject({
  errorMessage: z.string().optional(),
  errorCode: z.union([z.string(), z.number().transform(String)]),
});

/** Error envelope. */
export type JasperErrorBody = z.infer<typeof jasperErrorBodySchema>;

const text = z.string().nullish();

/** `GET /devices/{iccid}` response (DeviceDetails). */
export const jasperDeviceSchema = z.looseObject({
  iccid: z.string().min(1),
  imsi: text,
  msisdn: text,
  imei: text,
  status: z.string(),
  ratePlan: text,
  communicationPlan: text,
  customer: text,
  endConsumerId: text,
  dateActivated: text,
  dateAdded: text,
  dateUpdated: text,
  dateShipped: text,
  accountId: text,
  fixedIPAddress: text,
  fixedIpv6Address: text,
  operatorCustom1: text,
  operatorCustom2: text,
  operatorCustom3: text,
  operatorCustom4: text,
  operatorCustom5: text,
  accountCustom1: text,
  accountCustom2: text,
  accountCustom3: text,
  accountCustom4: text,
  accountCustom5: text,
  accountCustom6: text,
  accountCustom7: text,
  accountCustom8: text,
  accountCustom9: text,
  accountCustom10: text,
  customerCustom1: text,
  customerCustom2: text,
  customerCustom3: text,
  customerCustom4: text,
  customerCustom5: text,
  simNotes: text,
  deviceID: text,
  modemID: text,
  globalSimType: text,
  eid: text,
  simProfileId: text,
});

/** Device details. */
export type JasperDevice = z.infer<typeof jasperDeviceSchema>;

/** Custom fields an edit may set (`accountCustom1..10`, `operatorCustom1..5`, `customerCustom1..5`). */
export const JASPER_CUSTOM_FIELDS = [
  'accountCustom1',
  'accountCustom2',
  'accountCustom3',
  'accountCustom4',
  'accountCustom5',
  'accountCustom6',
  'accountCustom7',
  'accountCustom8',
  'accountCustom9',
  'accountCustom10',
  'operatorCustom1',
  'operatorCustom2',
  'operatorCustom3',
  'operatorCustom4',
  'operatorCustom5',
  'customerCustom1',
  'customerCustom2',
  'customerCustom3',
  'customerCustom4',
  'customerCustom5',
] as const;

/** One custom field name. */
export type JasperCustomField = (typeof JASPER_CUSTOM_FIELDS)[number];

/** Fields that can hold a username (configurable per service provider). */
export const JASPER_USERNAME_TARGETS: readonly string[] = [...JASPER_CUSTOM_FIELDS, 'deviceID'];

const customShape = Object.fromEntries(
  JASPER_CUSTOM_FIELDS.map((f) => [f, z.string().optional()]),
) as Record<JasperCustomField, z.ZodOptional<z.ZodString>>;

/** `PUT /devices/{iccid}` body (DeviceEditModel); at least one editable field is required. */
export const jasperDeviceEditSchema = z.strictObject({
  effectiveDate: z.string().optional(),
  status: z.string().optional(),
  ratePlan: z.string().optional(),
  communicationPlan: z.string().optional(),
  customer: z.string().optional(),
  deviceID: z.string().optional(),
  modemID: z.string().optional(),
  overageLimitOverride: z.enum(['DEFAULT', 'TEMPORARY_OVERRIDE', 'PERMANENT_OVERRIDE']).optional(),
  ipv4Address: z.string().optional(),
  ipv6Address: z.string().optional(),
  apn: z.string().optional(),
  pdpId: z.string().optional(),
  ...customShape,
});

/** Edit-device request body. */
export type JasperDeviceEditRequest = z.infer<typeof jasperDeviceEditSchema>;

/** `PUT /devices/{iccid}` success body: `{ iccid }` (a 2xx without it is a failure). */
export const jasperEditResponseSchema = z.looseObject({
  iccid: z.string().nullish(),
  errorCode: z.union([z.string(), z.number().transform(String)]).optional(),
  errorMessage: z.string().optional(),
});

/**
 * One audit trail record. Documented: `field, priorValue, value, effectiveDate`; `status`,
 * `userName`, `ipAddress`, `delegatedUser` are [INF] (the vendor page is truncated there).
 * The simulator writes `status` as `Executed`, `Pending` or `Error`.
 */
export const jasperAuditRecordSchema = z.looseObject({
  field: z.string(),
  priorValue: text,
  value: text,
  effectiveDate: text,
  status: text,
  userName: text,
  ipAddress: text,
  delegatedUser: text,
});

/** One audit record. */
export type JasperAuditRecord = z.infer<typeof jasperAuditRecordSchema>;

/** `GET /devices/{iccid}/auditTrails` response, most recent record first. */
export const jasperAuditTrailSchema = z.looseObject({
  iccid: z.string(),
  timestamp: text,
  pageNumber: z.number().int(),
  lastPage: z.boolean(),
  deviceAuditTrails: z.array(jasperAuditRecordSchema),
});

/** One page of audit trail. */
export type JasperAuditTrailPage = z.infer<typeof jasperAuditTrailSchema>;

/** `GET /devices?modifiedSince=…` response, ordered by modification date ascending. */
export const jasperSearchResponseSchema = z.looseObject({
  pageNumber: z.number().int(),
  lastPage: z.boolean(),
  devices: z.array(
    z.looseObject({
      iccid: z.string(),
      status: z.string(),
      ratePlan: text,
      communicationPlan: text,
    }),
  ),
});

/** One page of device search. */
export type JasperSearchPage = z.infer<typeof jasperSearchResponseSchema>;

/** Audit history limits (§1.3). */
export const JASPER_AUDIT_LIMITS = { maxDays: 365, defaultDays: 30, maxPageSize: 50 } as const;

/**
 * Formats a time the way Control Center prints dates: `2016-06-29 00:21:33.339+0000`.
 *
 * @example
 * formatJasperDate(Date.UTC(2016, 5, 29, 0, 21, 33, 339)); // '2016-06-29 00:21:33.339+0000'
 */
export function formatJasperDate(ms: number): string {
  return `${new Date(ms).toISOString().replace('T', ' ').replace('Z', '')}+0000`;
}

/**
 * Parses a Control Center date (`2016-06-29 00:21:33.339+0000`) or an ISO 8601 string into
 * milliseconds since the epoch; undefined when it is neither.
 */
export function parseJasperDate(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const iso = value
    .trim()
    .replace(/^(\d{4}-\d{2}-\d{2}) /, '$1T')
    .replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Normalises a status to Control Center spelling: upper case, spaces and hyphens as
 * underscores (`'deactivated'` → `'DEACTIVATED'`, `'Activation Ready'` → `'ACTIVATION_READY'`).
 */
export function normaliseJasperStatus(status: string): string {
  return status
    .trim()
    .replace(/[\s-]+/g, '_')
    .toUpperCase();
}
