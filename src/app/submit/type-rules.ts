/**
 * Type-specific submission rules (original-system.md §8), checked on each row's validated
 * request against reference data loaded once per request:
 *
 * - StatusUpdate: the target status must exist for the integration (`device_statuses`); a
 *   ThingSpace activation needs `Request.RatePlanCode`; `AccountNumber` must be a Rev.io
 *   customer of the tenant.
 * - CarrierRatePlanChange: the rate plan code must exist for the service provider.
 * - AssociateCustomer / CreateRevService: the Rev.io customer must exist. (The "active
 *   service line" guard needs the device and is checked in `validate-rows.ts`.)
 */
import type { ChangeType } from '../../domain/change-types/change-type.ts';
import type { ValidationIssue } from '../../domain/errors.ts';
import type { Integration } from '../../domain/integrations.ts';
import type { SubmitReferenceData } from '../ports/submit-store.ts';

/** Reference data prepared for fast checks. */
export interface PreparedReferenceData {
  statuses: ReadonlyMap<string, string>;
  ratePlans: ReadonlySet<string>;
  revCustomers: ReadonlySet<string>;
  integration: Integration;
}

/** Indexes the reference data. */
export function prepareReferenceData(
  data: SubmitReferenceData,
  integration: Integration,
): PreparedReferenceData {
  return {
    statuses: new Map(data.deviceStatuses.map((s) => [s.toLowerCase(), s])),
    ratePlans: new Set(data.carrierRatePlanCodes),
    revCustomers: new Set(data.revCustomerIds),
    integration,
  };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function list(values: Iterable<string>, max = 12): string {
  const all = [...values];
  return all.length <= max ? all.join(', ') : `${all.slice(0, max).join(', ')}, …`;
}

/**
 * Issues of one row's validated request (empty when it passes).
 *
 * @example
 * checkTypeRules('StatusUpdate', { UpdateStatus: 'NOPE' }, ref); // [{ field: 'UpdateStatus', … }]
 */
export function checkTypeRules(
  type: ChangeType,
  request: Record<string, unknown>,
  ref: PreparedReferenceData,
): Omit<ValidationIssue, 'row'>[] {
  const issues: Omit<ValidationIssue, 'row'>[] = [];
  const revCustomer = (field: string, value: unknown) => {
    const id = text(value);
    if (id !== undefined && !ref.revCustomers.has(id)) {
      issues.push({ field, message: `${field} ${id} is not a Rev.io customer of this tenant` });
    }
  };
  switch (type) {
    case 'StatusUpdate': {
      const status = text(request.UpdateStatus);
      if (
        status !== undefined &&
        ref.statuses.size > 0 &&
        !ref.statuses.has(status.toLowerCase())
      ) {
        issues.push({
          field: 'UpdateStatus',
          message: `UpdateStatus "${status}" is not a status of ${ref.integration} (known: ${list(ref.statuses.values())})`,
        });
      }
      const carrier = request.Request as Record<string, unknown> | undefined;
      if (
        ref.integration === 'ThingSpace' &&
        status?.toLowerCase() === 'active' &&
        text(carrier?.RatePlanCode) === undefined
      ) {
        issues.push({
          field: 'Request.RatePlanCode',
          message: 'Request.RatePlanCode is required to activate a ThingSpace device',
        });
      }
      revCustomer('AccountNumber', request.AccountNumber);
      break;
    }
    case 'CarrierRatePlanChange': {
      const code = text(request.CarrierRatePlan);
      if (code !== undefined && !ref.ratePlans.has(code)) {
        issues.push({
          field: 'CarrierRatePlan',
          message:
            ref.ratePlans.size === 0
              ? `CarrierRatePlan "${code}" does not exist: the service provider has no carrier rate plans`
              : `CarrierRatePlan "${code}" is not a rate plan of the service provider (known: ${list(ref.ratePlans)})`,
        });
      }
      break;
    }
    case 'AssociateCustomer':
    case 'CreateRevService':
      revCustomer('RevCustomerId', request.RevCustomerId);
      break;
    default:
      break;
  }
  return issues;
}

/** True when the row's request creates a Rev.io service line (active-line guard applies). */
export function createsRevServiceLine(type: ChangeType, request: Record<string, unknown>): boolean {
  if (type === 'CreateRevService') return true;
  return type === 'AssociateCustomer' && request.CreateRevService === true;
}
