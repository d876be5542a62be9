/**
 * Wire format of AT&T Telegence (business mobility "lineconfig" API), as carrier-apis.md §3
 * documents it: request and response bodies as zod schemas, plus the constants both the
 * client and the simulator share (paths, status and mode codes, characteristic names).
 *
 * Public documentation of this API is essentially nonexistent; shapes come from the code we
 * port and from public customer scripts. Where a shape is inferred, the schema is lenient on
 * responses (loose objects, optional fields) and strict on requests (what we send).
 */
import { z } from 'zod';

/** Path of the device-list (sync) endpoint, relative to the host (not to the lineconfig base). */
export const TELEGENCE_DEVICE_LIST_PATH = '/sp/mobility/api/v1/account';

/** Paths relative to the lineconfig base URL (`…/sp/mobility/lineconfig/api/v1`). */
export const TELEGENCE_PATHS = {
  /** `GET`/`PATCH` `{line}/{subscriberNumber}`. */
  line: '/service',
  /**
   * `POST` (batch activation) and `GET {activation}/{activationId}` (activation status). The
   * original reads this path from an environment variable whose value is not public; this is
   * our default and the client lets callers override it.
   */
  activation: '/serviceactivation',
} as const;

/** Most activation records one POST may carry (the original's `MAX_TELEGENCE_SERVICES_PER_REQUEST`). */
export const TELEGENCE_MAX_ACTIVATIONS_PER_REQUEST = 200;

/** Value of `description` in the 404 body that means "eSIM profile required" (or unknown line). */
export const TELEGENCE_SERVICE_NOT_FOUND_DESCRIPTION = '/service/';

/** `subscriberStatus` values of a line. */
export const TelegenceSubscriberStatus = {
  Active: 'A',
  Suspended: 'S',
  Cancelled: 'C',
  /** Line reserved by an activation in progress (MDN assigned, not yet active). */
  Reserved: 'R',
} as const;

/** One `subscriberStatus` value. */
export type TelegenceSubscriberStatus =
  (typeof TelegenceSubscriberStatus)[keyof typeof TelegenceSubscriberStatus];

/** Status actions of a line PATCH and the `mode` code each sends ([INF] codes, see README). */
export const TelegenceStatusMode = {
  suspend: 'S',
  restore: 'R',
  cancel: 'C',
} as const;

/** A status action of a line PATCH. */
export type TelegenceStatusAction = keyof typeof TelegenceStatusMode;

/** Status a line has once a status action took effect. */
export const TELEGENCE_STATUS_AFTER: Readonly<Record<TelegenceStatusAction, string>> = {
  suspend: TelegenceSubscriberStatus.Suspended,
  restore: TelegenceSubscriberStatus.Active,
  cancel: TelegenceSubscriberStatus.Cancelled,
};

/** `service.status` values of an activation record (compared lower-cased, as the original). */
export const TelegenceActivationStatus = {
  Pending: 'pending',
  Reserved: 'reserved',
  Active: 'active',
  Rejected: 'rejected',
} as const;

/** One activation status. */
export type TelegenceActivationStatus =
  (typeof TelegenceActivationStatus)[keyof typeof TelegenceActivationStatus];

/** Characteristic names a line PATCH may carry. */
export const TELEGENCE_PATCH_CHARACTERISTICS = [
  'singleUserCode',
  'sim',
  'IMEI',
  'reasonCode',
  'serviceZipCode',
  'technologyType',
  'removeOfferingCode',
] as const;

/** `{ name, value }` as we send it. */
export const characteristicSchema = z.object({
  name: z.string().min(1),
  value: z.string(),
});

/** One characteristic we send. */
export type TelegenceCharacteristic = z.infer<typeof characteristicSchema>;

/** `{ name, value }` as the API returns it (values are not always strings). */
export const responseCharacteristicSchema = z.looseObject({
  name: z.string(),
  value: z
    .union([z.string(), z.number(), z.boolean(), z.null()])
    .optional()
    .transform((v) => (v === null || v === undefined ? '' : String(v))),
});

/** Body of `GET /service/{subscriberNumber}`. */
export const lineResponseSchema = z.looseObject({
  subscriberNumber: z.string().optional(),
  serviceCharacteristic: z.array(responseCharacteristicSchema),
});

/** Parsed body of a line GET. */
export type TelegenceLineResponse = z.infer<typeof lineResponseSchema>;

/**
 * Body of `PATCH /service/{subscriberNumber}`. Variants: rate plan (`effectiveDate` +
 * `singleUserCode`), status (`mode` + `reasonCode` [+ `effectiveDate`]), SIM/IMEI swap
 * (`reasonCode`, `serviceZipCode`, `technologyType`, `IMEI`, `sim` characteristics) and
 * offering removal (`removeOfferingCode` + `effectiveDate: ""`).
 */
export const patchLineBodySchema = z.strictObject({
  mode: z.string().min(1).optional(),
  reasonCode: z.string().optional(),
  effectiveDate: z.string().optional(),
  serviceCharacteristic: z.array(characteristicSchema).optional(),
});

/** A line PATCH body. */
export type TelegencePatchLineBody = z.infer<typeof patchLineBodySchema>;

/** 2xx body of a line PATCH ([INF]: an acknowledgement; the original only needs it to parse). */
export const patchAckSchema = z.looseObject({
  id: z.string().optional(),
  subscriberNumber: z.string().optional(),
  effectiveDate: z.string().optional(),
  responseMessage: z.string().optional(),
});

/** Parsed PATCH acknowledgement. */
export type TelegencePatchAck = z.infer<typeof patchAckSchema>;

/** Subscriber address of an activation. */
export const activationAddressSchema = z.object({
  streetNumber: z.string(),
  streetDirection: z.string().optional(),
  streetName: z.string(),
  streetType: z.string().optional(),
  city: z.string(),
  state: z.string(),
  zipCode: z.string(),
});

/** One related party (the subscriber) of an activation. */
export const relatedPartySchema = z.object({
  id: z.string().optional(),
  role: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  address: activationAddressSchema,
});

/** One activation request record (an element of the POSTed array). */
export const activationRequestSchema = z.object({
  billingAccount: z.object({ id: z.string().min(1) }),
  relatedParty: z.array(relatedPartySchema).min(1),
  service: z.object({
    name: z.string(),
    category: z.object({ id: z.string(), name: z.string() }).optional(),
    serviceSpecification: z.object({ id: z.string(), href: z.string() }),
    serviceQualification: z.object({ id: z.string() }),
    serviceCharacteristic: z.array(characteristicSchema).min(1),
  }),
});

/** One activation request record. */
export type TelegenceActivationRequest = z.infer<typeof activationRequestSchema>;

/** The POSTed batch. */
export const activationBatchSchema = z
  .array(activationRequestSchema)
  .min(1)
  .max(TELEGENCE_MAX_ACTIVATIONS_PER_REQUEST);

/** One activation record as returned by the POST and by the status GET. */
export const activationRecordSchema = z.looseObject({
  id: z.string().min(1),
  interactionStatus: z.string().optional(),
  interactionDate: z.string().nullable().optional(),
  interactionDateComplete: z.string().nullable().optional(),
  billingAccount: z.looseObject({ id: z.string() }).optional(),
  relatedParty: z.array(z.unknown()).optional(),
  service: z.looseObject({
    name: z.string().optional(),
    status: z.string().optional(),
    subscriberNumber: z.string().nullable().optional(),
    error: z.unknown().optional(),
    serviceCharacteristic: z.array(responseCharacteristicSchema).optional(),
  }),
});

/** One activation record. */
export type TelegenceActivationRecord = z.infer<typeof activationRecordSchema>;

/** Body of the activation POST and of the status GET: an array of records. */
export const activationResponseSchema = z.array(activationRecordSchema).min(1);

/** One entry of the device list ([INF] flat shape; the original's sync reads these fields). */
export const deviceListEntrySchema = z.looseObject({
  subscriberNumber: z.string(),
  subscriberStatus: z.string(),
  sim: z.string().optional(),
  imei: z.string().optional(),
  singleUserCode: z.string().optional(),
  billingAccountNumber: z.string().optional(),
});

/** One device-list entry. */
export type TelegenceDeviceListEntry = z.infer<typeof deviceListEntrySchema>;

/** Body of the device list GET. */
export const deviceListResponseSchema = z.array(deviceListEntrySchema);

/**
 * Error bodies: JSON but not uniform. The original reads `responseMessage`,
 * `errorDescription` and `description`, in that order; the eSIM-required 404 is
 * `{"id":"<uuid>","description":"/service/"}`.
 */
export const errorBodySchema = z.looseObject({
  id: z.string().optional(),
  errorCode: z.union([z.string(), z.number()]).optional(),
  code: z.union([z.string(), z.number()]).optional(),
  responseMessage: z.string().optional(),
  errorDescription: z.string().optional(),
  description: z.string().optional(),
});

/** A parsed error body. */
export type TelegenceErrorBody = z.infer<typeof errorBodySchema>;

/** Value of the first characteristic called `name`, if any. */
export function characteristicValue(
  list: readonly { name: string; value: string }[] | undefined,
  name: string,
): string | undefined {
  return list?.find((c) => c.name === name)?.value;
}
