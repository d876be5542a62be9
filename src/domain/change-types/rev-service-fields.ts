/**
 * The original's `BulkChangeAssociateCustomer` model (original-system.md §3.7): a Rev.io
 * customer to assign devices to, and optionally a Rev.io service line (+ products) to create
 * for each device. Shared by AssociateCustomer, CreateRevService and StatusUpdate
 * (`RevService`, `RevServiceProductCreateModel`).
 *
 * Normalisation: `RevProviderId` (the stored-procedure name) is accepted for `ProviderId`;
 * `RevCustomerId` is digits kept as text (the original's type); `CustomerRatePlan` and
 * `CustomerRatePool` (text ids in the original, parsed as integers by the Lambda) become
 * whole numbers, so a bad id is reported at submission instead of "rate plan not set" later.
 */
import { z } from 'zod';
import {
  decimal,
  flag,
  optionalDecimal,
  optionalIdentifier,
  optionalIsoDate,
  optionalPositiveInt,
  optionalText,
  positiveInt,
  revCustomerId,
} from './schema-fields.ts';

/** Fields of the Rev.io customer / service model (each optional unless noted). */
export const revServiceShape = {
  /** Rev.io customer id (required). */
  RevCustomerId: revCustomerId(),
  /** Create a Rev.io service line for each device. */
  CreateRevService: flag(false),
  /** Rev.io service type of the line (required when CreateRevService). */
  ServiceTypeId: optionalPositiveInt(),
  /** Rev.io provider of the line. */
  ProviderId: optionalPositiveInt(),
  /** Rev.io usage plan group. */
  UsagePlanGroupId: optionalPositiveInt(),
  /** Rev.io package; when given, packages already include their products. */
  RevPackageId: optionalPositiveInt(),
  /** Products to add to the line, one rate per product in RateList. */
  RevProductIdList: z.array(positiveInt()).optional(),
  /** Rates of RevProductIdList, same order and length. */
  RateList: z.array(decimal()).optional(),
  /** Single product to add when RevProductIdList is empty. */
  RevProductId: optionalPositiveInt(),
  /** Rate of RevProductId. */
  Rate: optionalDecimal(),
  /** Prorate the first bill (EffectiveDate is sent only when prorating). */
  Prorate: flag(false),
  /** Line description. */
  Description: optionalText(),
  /** Billing start date. */
  EffectiveDate: optionalIsoDate(),
  /** Activation date of the line (defaults to the carrier's activation date). */
  ActivatedDate: optionalIsoDate(),
  /** Rev.io line number override (defaults to the device's MSISDN, else its identifier). */
  Number: optionalText(64),
  /** ICCID of the device (the line's second number). */
  ICCID: optionalIdentifier('iccid'),
  /** Device id in the device database. */
  DeviceId: optionalPositiveInt(),
  /** Jasper device id (carried, not applied: dead code in the original). */
  JasperDeviceID: optionalText(64),
  /** Tenant site to assign. */
  SiteId: optionalPositiveInt(),
  /** Set a customer rate plan and/or pool on the devices. */
  AddCustomerRatePlan: flag(false),
  /** Customer rate plan id. */
  CustomerRatePlan: optionalPositiveInt(),
  /** Customer rate pool id. */
  CustomerRatePool: optionalPositiveInt(),
  /** Change the carrier rate plan too (carried; the original never applied it). */
  AddCarrierRatePlan: flag(false),
  /** Carrier rate plan code. */
  CarrierRatePlan: optionalText(),
  /** Carrier communication plan. */
  CommPlan: optionalText(),
  /** Rev.io account (integration authentication) to use. */
  IntegrationAuthenticationId: optionalPositiveInt(),
};

/** The fields the cross-field rules look at. */
interface RevServiceRuleFields {
  CreateRevService: boolean;
  ServiceTypeId?: number | undefined;
  RevProductIdList?: number[] | undefined;
  RateList?: number[] | undefined;
  RevProductId?: number | undefined;
  Rate?: number | undefined;
  AddCustomerRatePlan: boolean;
  CustomerRatePlan?: number | undefined;
  CustomerRatePool?: number | undefined;
  AddCarrierRatePlan: boolean;
  CarrierRatePlan?: string | undefined;
}

/** Cross-field rules of the Rev.io service model (messages are predicates on the field). */
export function checkRevServiceRules(request: RevServiceRuleFields, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: 'custom', path, message });
  if (request.CreateRevService && request.ServiceTypeId === undefined) {
    issue(['ServiceTypeId'], 'is required when CreateRevService is true');
  }
  const products = request.RevProductIdList;
  const rates = request.RateList;
  if (rates !== undefined && products === undefined) {
    issue(['RateList'], 'needs RevProductIdList (one rate per product)');
  }
  if (rates !== undefined && products !== undefined && rates.length !== products.length) {
    issue(
      ['RateList'],
      `must have one rate per product of RevProductIdList (${products.length} products, ${rates.length} rates)`,
    );
  }
  products?.forEach((product, index) => {
    if (products.indexOf(product) !== index) {
      issue(['RevProductIdList', index], `repeats product ${product} (list each product once)`);
    }
  });
  if (request.Rate !== undefined && request.RevProductId === undefined) {
    issue(['Rate'], 'needs RevProductId');
  }
  if (
    request.AddCustomerRatePlan &&
    request.CustomerRatePlan === undefined &&
    request.CustomerRatePool === undefined
  ) {
    issue(['CustomerRatePlan'], 'or CustomerRatePool is required when AddCustomerRatePlan is true');
  }
  if (request.AddCarrierRatePlan && request.CarrierRatePlan === undefined) {
    issue(['CarrierRatePlan'], 'is required when AddCarrierRatePlan is true');
  }
}

/**
 * Accepts `RevProviderId` as another name for `ProviderId`. Giving both is an issue on
 * `RevProviderId`.
 */
export function renameRevProviderId(value: unknown, ctx: z.RefinementCtx): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  if (!Object.hasOwn(value, 'RevProviderId')) return value;
  const { RevProviderId, ...rest } = value as Record<string, unknown>;
  if (Object.hasOwn(rest, 'ProviderId')) {
    ctx.addIssue({
      code: 'custom',
      path: ['RevProviderId'],
      message: 'is another name for ProviderId; give only one of them',
    });
    return rest;
  }
  return { ...rest, ProviderId: RevProviderId };
}

/** Request fields of the Rev.io model that may vary per device row. */
export const REV_SERVICE_PER_DEVICE_FIELDS: readonly string[] = Object.freeze([
  'Number',
  'ICCID',
  'DeviceId',
  'JasperDeviceID',
  'Description',
  'EffectiveDate',
  'ActivatedDate',
]);
