/**
 * Pure mapping between the client's shapes and Rev.io's wire format: camelCase service records
 * out, snake_case create bodies in (nulls and blanks omitted, dates as `YYYY-MM-DD`).
 *
 * Create inputs keep the original's PascalCase names (`BulkChangeAssociateCustomer`,
 * original-system.md §3.7) so that the change-type handlers pass their request through.
 */

import type { z } from 'zod';
import { parseIsoDate } from '../../../domain/iso-date.ts';
import {
  type RevioCreateServiceBody,
  type RevioCreateServiceProductBody,
  type RevioWireService,
  type RevioWireServiceProduct,
  revioCreateServiceBodySchema,
  revioCreateServiceProductBodySchema,
} from './revio-wire.ts';

/** A custom field of a service, in its stable position. */
export interface RevioField {
  /** Field definition id (`field_id`), when Rev.io sends one. */
  fieldId: number | undefined;
  label: string;
  /** Current value; Rev.io's null becomes ''. */
  value: string;
}

/** A Rev.io service line. */
export interface RevioService {
  serviceId: number;
  customerId: number;
  providerId: number | null;
  serviceTypeId: number | null;
  packageId: number | null;
  usagePlanGroupId: number | null;
  /** Line number: MSISDN, else the device identifier. */
  number: string | null;
  /** Second number: the ICCID. */
  number2: string | null;
  description: string | null;
  status: string | null;
  activatedDate: string | null;
  disconnectedDate: string | null;
  effectiveDate: string | null;
  /** Custom fields; `PATCH` addresses them by index (`/fields/{i}/value`). */
  fields: RevioField[];
}

/** A product billed on a service line. */
export interface RevioServiceProduct {
  serviceProductId: number;
  serviceId: number;
  productId: number;
  customerId: number;
  rate: number;
  quantity: number;
  status: string | null;
  packageId: number | null;
  effectiveDate: string | null;
  activatedDate: string | null;
}

/** Input of `createService` (original `CreateServiceLineBody`). */
export interface CreateServiceInput {
  CustomerId: number;
  /** MSISDN, else the device identifier. */
  Number: string;
  /** ICCID; blank is omitted. */
  Number2?: string | null;
  ServiceTypeId: number;
  ProviderId?: number | null;
  /** Billing start (`YYYY-MM-DD` or ISO date-time; sent as its UTC date). */
  EffectiveDate?: string | Date | null;
  ActivatedDate?: string | Date | null;
  UsagePlanGroupId?: number | null;
  RevPackageId?: number | null;
  Description?: string | null;
}

/** Input of `createServiceProduct` (original `CreateServiceProductBody`). */
export interface CreateServiceProductInput {
  ServiceId: number;
  ProductId: number;
  CustomerId: number;
  Rate: number;
  /** @default 1 */
  Quantity?: number;
  Prorate?: boolean | null;
  EffectiveDate?: string | Date | null;
  ActivatedDate?: string | Date | null;
  RevPackageId?: number | null;
}

/** Result of a create. */
export interface RevioCreated {
  /** Id of the new service / service product. */
  id: number;
  /** True when the id was found by the post-failure lookup rather than in the 201 body. */
  recovered: boolean;
}

/** Maps a wire service to the client's shape. */
export function toRevioService(wire: RevioWireService): RevioService {
  return {
    serviceId: wire.service_id,
    customerId: wire.customer_id,
    providerId: wire.provider_id ?? null,
    serviceTypeId: wire.service_type_id ?? null,
    packageId: wire.package_id ?? null,
    usagePlanGroupId: wire.usage_plan_group_id ?? null,
    number: wire.number ?? null,
    number2: wire.number2 ?? null,
    description: wire.description ?? null,
    status: wire.status ?? null,
    activatedDate: wire.activated_date ?? null,
    disconnectedDate: wire.disconnected_date ?? null,
    effectiveDate: wire.effective_date ?? null,
    fields: (wire.fields ?? []).map((f) => ({
      fieldId: f.field_id ?? f.id,
      label: f.label,
      value: f.value ?? '',
    })),
  };
}

/** Maps a wire service product to the client's shape. */
export function toRevioServiceProduct(wire: RevioWireServiceProduct): RevioServiceProduct {
  return {
    serviceProductId: wire.service_product_id,
    serviceId: wire.service_id,
    productId: wire.product_id,
    customerId: wire.customer_id,
    rate: wire.rate,
    quantity: wire.quantity,
    status: wire.status ?? null,
    packageId: wire.package_id ?? null,
    effectiveDate: wire.effective_date ?? null,
    activatedDate: wire.activated_date ?? null,
  };
}

/** A create input that cannot be sent; `field` names the input property. */
export interface InputProblem {
  field: string;
  message: string;
}

/**
 * Builds the `POST /v1/Services` body.
 *
 * @example
 * toCreateServiceBody({ CustomerId: 100101, Number: '15551230001', Number2: '8901…',
 *   ServiceTypeId: 101, ActivatedDate: '2024-05-01' });
 * // { ok: true, body: { customer_id: 100101, number: '15551230001', number2: '8901…',
 * //   service_type_id: 101, activated_date: '2024-05-01' } }
 */
export function toCreateServiceBody(
  input: CreateServiceInput,
): { ok: true; body: RevioCreateServiceBody } | { ok: false; problem: InputProblem } {
  const effective = wireDate(input.EffectiveDate, 'EffectiveDate');
  if (effective.ok === false) return effective;
  const activated = wireDate(input.ActivatedDate, 'ActivatedDate');
  if (activated.ok === false) return activated;
  const body: RevioCreateServiceBody = compact({
    customer_id: input.CustomerId,
    number: input.Number,
    number2: blankToUndefined(input.Number2),
    service_type_id: input.ServiceTypeId,
    provider_id: input.ProviderId ?? undefined,
    effective_date: effective.value,
    activated_date: activated.value,
    usage_plan_group_id: input.UsagePlanGroupId ?? undefined,
    package_id: input.RevPackageId ?? undefined,
    description: blankToUndefined(input.Description),
  });
  return checked(revioCreateServiceBodySchema, body);
}

/**
 * Builds the `POST /v1/ServiceProduct` body (quantity 1 unless given).
 *
 * @example
 * toCreateServiceProductBody({ ServiceId: 702001, ProductId: 3001, CustomerId: 100101, Rate: 5 });
 * // { ok: true, body: { service_id: 702001, product_id: 3001, customer_id: 100101, rate: 5,
 * //   quantity: 1 } }
 */
export function toCreateServiceProductBody(
  input: CreateServiceProductInput,
): { ok: true; body: RevioCreateServiceProductBody } | { ok: false; problem: InputProblem } {
  const effective = wireDate(input.EffectiveDate, 'EffectiveDate');
  if (effective.ok === false) return effective;
  const activated = wireDate(input.ActivatedDate, 'ActivatedDate');
  if (activated.ok === false) return activated;
  const body: RevioCreateServiceProductBody = compact({
    service_id: input.ServiceId,
    product_id: input.ProductId,
    customer_id: input.CustomerId,
    rate: input.Rate,
    quantity: input.Quantity ?? 1,
    prorate: input.Prorate ?? undefined,
    effective_date: effective.value,
    activated_date: activated.value,
    package_id: input.RevPackageId ?? undefined,
  });
  return checked(revioCreateServiceProductBodySchema, body);
}

/** The body if it satisfies the wire schema, else the first problem (e.g. a negative id). */
function checked<T>(
  schema: z.ZodType<T>,
  body: T,
): { ok: true; body: T } | { ok: false; problem: InputProblem } {
  const parsed = schema.safeParse(body);
  if (parsed.success) return { ok: true, body: parsed.data };
  const issue = parsed.error.issues[0];
  return {
    ok: false,
    problem: { field: issue?.path.join('.') ?? 'body', message: issue?.message ?? 'is invalid' },
  };
}

type DateResult = { ok: true; value: string | undefined } | { ok: false; problem: InputProblem };

/** `YYYY-MM-DD` (UTC) of a date input; undefined when absent. */
function wireDate(value: string | Date | null | undefined, field: string): DateResult {
  if (value === undefined || value === null) return { ok: true, value: undefined };
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) {
      return { ok: false, problem: { field, message: 'is an invalid Date' } };
    }
    return { ok: true, value: value.toISOString().slice(0, 10) };
  }
  if (value.trim() === '') return { ok: true, value: undefined };
  const parsed = parseIsoDate(value);
  if (!parsed.ok) return { ok: false, problem: { field, message: parsed.reason } };
  // A date stays YYYY-MM-DD; a date-time is normalised to a UTC instant: keep its date.
  return { ok: true, value: parsed.value.slice(0, 10) };
}

function blankToUndefined(value: string | null | undefined): string | undefined {
  return value === undefined || value === null || value.trim() === '' ? undefined : value;
}

/** Drops properties whose value is undefined (the wire omits absent values). */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
