/**
 * StatusUpdate: move devices to another carrier status (activate, suspend, restore,
 * deactivate, …), optionally attaching a Rev.io customer and creating a Rev.io service.
 * Request: the original `StatusUpdateRequest<T>` (original-system.md §3.2).
 *
 * `Request` is carrier specific. When it carries any ThingSpace field (ICCID, IMEI,
 * RatePlanCode, MdnZipCode, ReasonCode, RevAccountNumber, thingSpacePPU) it is validated
 * strictly as a ThingSpace request (`ThingSpaceStatusUpdate`); any other object (Jasper's
 * `JasperStatusUpdate`, Telegence's subscriber update, whose shapes the original does not
 * reveal in full) is kept as given.
 */
import { z } from 'zod';
import { Integration } from '../integrations.ts';
import { predicateErrorMap } from '../zod-issues.ts';
import { associateCustomerSchema } from './associate-customer.ts';
import { CHANGE_TYPE_ALIASES, type ChangeTypeDefinition } from './change-type.ts';
import { JASPER_FAMILY } from './integration-groups.ts';
import {
  flag,
  optionalIdentifier,
  optionalPositiveInt,
  optionalText,
  optionalZipCode,
  requiredText,
  strictRequest,
} from './schema-fields.ts';

/** ThingSpace Primary Place of Use (address of the subscriber), all fields required. */
export const thingSpacePpuSchema = strictRequest({
  FirstName: requiredText(),
  LastName: requiredText(),
  AddressLine: requiredText(),
  City: requiredText(),
  State: requiredText(),
  ZipCode: z
    .string()
    .trim()
    .regex(/^\d{5}(-\d{4})?$/, 'must be a ZIP code (12345 or 12345-6789)'),
  Country: requiredText(),
});

/** ThingSpace part of a status update (`ThingSpaceStatusUpdate`). */
export const thingSpaceStatusRequestSchema = strictRequest({
  ICCID: optionalIdentifier('iccid'),
  IMEI: optionalIdentifier('imei'),
  RatePlanCode: optionalText(),
  MdnZipCode: optionalZipCode(),
  ReasonCode: optionalText(),
  RevAccountNumber: optionalText(),
  thingSpacePPU: thingSpacePpuSchema.optional(),
});

const THINGSPACE_KEYS = Object.keys(thingSpaceStatusRequestSchema.shape);

/** Carrier-specific `Request`: strict ThingSpace shape, or any other object kept as given. */
export const carrierStatusRequestSchema = z
  .record(z.string(), z.unknown())
  .transform((request, ctx) => {
    if (!THINGSPACE_KEYS.some((key) => Object.hasOwn(request, key))) return request;
    const parsed = thingSpaceStatusRequestSchema.safeParse(request, { error: predicateErrorMap });
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          ctx.issues.push({
            code: 'custom',
            path: [...issue.path, key],
            message: `is not a known field of a ThingSpace Request; ${issue.message}`,
            input: request,
          });
        }
      } else {
        ctx.issues.push({
          code: 'custom',
          path: issue.path,
          message: issue.message,
          input: request,
        });
      }
    }
    return z.NEVER;
  });

/** Request schema of StatusUpdate. */
export const statusUpdateSchema = strictRequest({
  /** Target status, as the carrier or the device status table names it. */
  UpdateStatus: requiredText(100),
  /** Skip the current-status check (ThingSpace: activate directly). */
  IsIgnoreCurrentStatus: flag(false),
  /** Device status id stored in the device database afterwards. */
  PostUpdateStatusId: optionalPositiveInt(),
  /** Rev.io customer to attach the devices to. */
  AccountNumber: optionalText(64),
  /** Carrier-specific request. */
  Request: carrierStatusRequestSchema.optional(),
  /** Rev.io service to create after the status change. */
  RevService: associateCustomerSchema.optional(),
  /** Rev.io service and products to create after the status change (same model). */
  RevServiceProductCreateModel: associateCustomerSchema.optional(),
  /** Rev.io account to use (overrides RevService's when RevServiceProductCreateModel is set). */
  IntegrationAuthenticationId: optionalPositiveInt(),
});

/** Normalised StatusUpdate request. */
export type StatusUpdateRequest = z.output<typeof statusUpdateSchema>;

/** Definition of StatusUpdate. */
export const statusUpdateDefinition: ChangeTypeDefinition<StatusUpdateRequest> = {
  name: 'StatusUpdate',
  aliases: CHANGE_TYPE_ALIASES.StatusUpdate,
  description:
    'Changes the carrier status of devices (activate, suspend, restore, deactivate, …) and records it in the device database.',
  requestSchema: statusUpdateSchema,
  supportedIntegrations: [...JASPER_FAMILY, Integration.ThingSpace, Integration.Telegence],
  identifierKinds: ['iccid', 'msisdn', 'eid'],
  perDeviceFields: ['AccountNumber', 'Request.ICCID', 'Request.IMEI', 'Request.MdnZipCode'],
};
