/**
 * CarrierRatePlanChange: move devices to another carrier rate plan (and, for the Jasper
 * family, communication plan).
 *
 * Canonical request: `{ CarrierRatePlan, CommPlan?, EffectiveDate?, PlanUuid?, RatePlanId?,
 * OptimizationGroup? }`. Two original shapes are normalised to it before validation:
 * - the M2M portal's wrapper `{ CarrierRatePlanUpdate: { … } }` (unwrapped; it cannot be
 *   mixed with top-level fields; issues are then reported on the flat field names);
 * - the Mobility portal's `RatePlanName`, another name for `CarrierRatePlan` (giving both is
 *   an issue on `RatePlanName`).
 * EffectiveDate is honoured by Telegence; the Jasper family and ThingSpace apply at once.
 */
import { z } from 'zod';
import { Integration } from '../integrations.ts';
import { CHANGE_TYPE_ALIASES, type ChangeTypeDefinition } from './change-type.ts';
import { JASPER_FAMILY } from './integration-groups.ts';
import {
  optionalIsoDate,
  optionalPositiveInt,
  optionalText,
  requiredText,
  strictRequest,
} from './schema-fields.ts';

type PlainObject = Record<string, unknown>;

function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Unwraps `CarrierRatePlanUpdate` and renames `RatePlanName` (see the file header). */
function toCanonicalShape(value: unknown, ctx: z.RefinementCtx): unknown {
  if (!isPlainObject(value)) return value;
  let request: PlainObject = value;
  if (Object.hasOwn(request, 'CarrierRatePlanUpdate')) {
    const { CarrierRatePlanUpdate: inner, ...rest } = request;
    const others = Object.keys(rest);
    if (others.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['CarrierRatePlanUpdate'],
        message: `cannot be combined with top-level fields (${others.join(', ')}); give either the wrapper or the flat fields`,
      });
      return value;
    }
    if (!isPlainObject(inner)) {
      ctx.addIssue({
        code: 'custom',
        path: ['CarrierRatePlanUpdate'],
        message: 'must be an object',
      });
      return value;
    }
    request = inner;
  }
  if (Object.hasOwn(request, 'RatePlanName')) {
    const { RatePlanName, ...rest } = request;
    if (Object.hasOwn(rest, 'CarrierRatePlan')) {
      ctx.addIssue({
        code: 'custom',
        path: ['RatePlanName'],
        message: 'is another name for CarrierRatePlan; give only one of them',
      });
      return value;
    }
    request = { ...rest, CarrierRatePlan: RatePlanName };
  }
  return request;
}

/** Canonical (flat) carrier rate plan request, strict. */
export const carrierRatePlanFieldsSchema = strictRequest({
  /** Carrier rate plan code (Telegence: the singleUserCode). */
  CarrierRatePlan: requiredText(),
  /** Communication plan (Jasper family). */
  CommPlan: optionalText(),
  /** When the change takes effect (Telegence); default: now. */
  EffectiveDate: optionalIsoDate(),
  /** Plan UUID (Teal; carried for stored requests). */
  PlanUuid: optionalText(64),
  /** Package type id (Pond; carried for stored requests). */
  RatePlanId: optionalPositiveInt(),
  /** Optimization group (Mobility). */
  OptimizationGroup: optionalText(),
});

/** Request schema of CarrierRatePlanChange: original shapes normalised, then validated. */
export const carrierRatePlanChangeSchema = z.preprocess(
  toCanonicalShape,
  carrierRatePlanFieldsSchema,
);

/** Normalised CarrierRatePlanChange request (always the flat canonical shape). */
export type CarrierRatePlanChangeRequest = z.output<typeof carrierRatePlanChangeSchema>;

/** Definition of CarrierRatePlanChange. */
export const carrierRatePlanChangeDefinition: ChangeTypeDefinition<CarrierRatePlanChangeRequest> = {
  name: 'CarrierRatePlanChange',
  aliases: CHANGE_TYPE_ALIASES.CarrierRatePlanChange,
  description:
    'Moves devices to another carrier rate plan (and communication plan) at the carrier and in the device database.',
  requestSchema: carrierRatePlanChangeSchema,
  supportedIntegrations: [...JASPER_FAMILY, Integration.ThingSpace, Integration.Telegence],
  identifierKinds: ['iccid', 'msisdn', 'eid'],
  perDeviceFields: ['CarrierRatePlan', 'CommPlan', 'EffectiveDate', 'OptimizationGroup'],
};
