/**
 * The registry of implemented change types: one definition per {@link ChangeType}
 * (exhaustive: the compiler rejects a missing or extra entry), and request validation.
 */
import { ValidationError, type ValidationIssue } from '../errors.ts';
import { type Integration, isSupportedIntegration } from '../integrations.ts';
import { predicateErrorMap, toValidationIssues } from '../zod-issues.ts';
import {
  type AssociateCustomerRequest,
  associateCustomerDefinition,
} from './associate-customer.ts';
import {
  type CarrierRatePlanChangeRequest,
  carrierRatePlanChangeDefinition,
} from './carrier-rate-plan-change.ts';
import {
  type ChangeIccidAndImeiRequest,
  changeIccidAndImeiDefinition,
} from './change-iccid-and-imei.ts';
import type { ChangeType, ChangeTypeDefinition } from './change-type.ts';
import { type CreateRevServiceRequest, createRevServiceDefinition } from './create-rev-service.ts';
import {
  type EditUsernameCostCenterRequest,
  editUsernameCostCenterDefinition,
} from './edit-username-cost-center.ts';
import { type StatusUpdateRequest, statusUpdateDefinition } from './status-update.ts';

/** The normalised request type of each change type. */
export interface ChangeRequestMap {
  EditUsernameCostCenter: EditUsernameCostCenterRequest;
  StatusUpdate: StatusUpdateRequest;
  CarrierRatePlanChange: CarrierRatePlanChangeRequest;
  ChangeICCIDAndIMEI: ChangeIccidAndImeiRequest;
  AssociateCustomer: AssociateCustomerRequest;
  CreateRevService: CreateRevServiceRequest;
}

/** A definition per change type, typed with its request. */
export type ChangeTypeDefinitions = {
  readonly [Type in ChangeType]: ChangeTypeDefinition<ChangeRequestMap[Type]>;
};

const DEFINITIONS = {
  EditUsernameCostCenter: editUsernameCostCenterDefinition,
  StatusUpdate: statusUpdateDefinition,
  CarrierRatePlanChange: carrierRatePlanChangeDefinition,
  ChangeICCIDAndIMEI: changeIccidAndImeiDefinition,
  AssociateCustomer: associateCustomerDefinition,
  CreateRevService: createRevServiceDefinition,
} satisfies ChangeTypeDefinitions;

/** Every implemented change type's definition. */
export const CHANGE_TYPES: ChangeTypeDefinitions = Object.freeze(DEFINITIONS);

/** Outcome of {@link validateChangeRequest}. */
export type ChangeRequestValidation<Request> =
  | { ok: true; value: Request }
  | { ok: false; issues: ValidationIssue[] };

/**
 * The definition of a change type.
 *
 * @example
 * getChangeTypeDefinition('StatusUpdate').supportedIntegrations; // ['Jasper', …]
 */
export function getChangeTypeDefinition<Type extends ChangeType>(
  type: Type,
): ChangeTypeDefinition<ChangeRequestMap[Type]> {
  return CHANGE_TYPES[type];
}

/**
 * Validates and normalises a change request (the fields shared by all devices, or one
 * device's merged fields). Every issue names its field as a dotted path (`''` for a rule on
 * the whole request) and its message is a sentence that starts with that field.
 *
 * @example
 * validateChangeRequest('EditUsernameCostCenter', { ContactName: ' Truck 12 ', CostCenter1: '' });
 * // { ok: true, value: { ContactName: 'Truck 12' } }
 */
export function validateChangeRequest<Type extends ChangeType>(
  type: Type,
  input: unknown,
): ChangeRequestValidation<ChangeRequestMap[Type]> {
  const schema = getChangeTypeDefinition(type).requestSchema;
  const parsed = schema.safeParse(input, { error: predicateErrorMap });
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, issues: toValidationIssues(parsed.error.issues) };
}

/**
 * Like {@link validateChangeRequest} but throws a `ValidationError` (code
 * `VALIDATION_FAILED`) carrying every issue.
 */
export function parseChangeRequest<Type extends ChangeType>(
  type: Type,
  input: unknown,
): ChangeRequestMap[Type] {
  const result = validateChangeRequest(type, input);
  if (result.ok) return result.value;
  const count = result.issues.length;
  throw new ValidationError(
    `Invalid ${type} request (${count} issue${count === 1 ? '' : 's'}): ${result.issues
      .map((issue) => issue.message)
      .join('; ')}`,
    result.issues,
  );
}

/** True when the change type can be carried to the integration by this build. */
export function isChangeTypeSupportedFor(type: ChangeType, integration: Integration): boolean {
  return (
    isSupportedIntegration(integration) &&
    CHANGE_TYPES[type].supportedIntegrations.includes(integration)
  );
}
