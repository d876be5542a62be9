/**
 * How the Rev.io client finds out whether an ambiguous create happened: the list requests it
 * sends, the rules that recognise the created record, and the wrapper that runs a lookup under
 * the account's rate limiter.
 *
 * Recognition (newest id first):
 * - a service: same customer, number, service type, second number when one was sent, and not
 *   disconnected;
 * - a service product: same service, product, customer and rate.
 * An identical record that existed before the call is indistinguishable and counts as the
 * result: the caller wanted one such record, and it exists (no duplicate is billed).
 */
import type { z } from 'zod';
import { ErrorCode } from '../../../domain/errors.ts';
import { IntegrationError } from '../shared/integration-error.ts';
import { type RateLimiter, withRateLimit } from '../shared/rate-limiter.ts';
import type { RevioRequest } from './revio-http.ts';
import type { InputProblem, RevioCreated } from './revio-mapper.ts';
import {
  type RevioCreateServiceBody,
  type RevioCreateServiceProductBody,
  revioServiceListSchema,
  revioServiceProductListSchema,
} from './revio-wire.ts';

/** Query of `listServices`. */
export interface ListServicesQuery {
  customerId?: number;
  number?: string;
  /** 1-based. @default 1 */
  page?: number;
  /** @default 100 */
  pageSize?: number;
}

/** Query of `listServiceProducts`. */
export interface ListServiceProductsQuery {
  serviceId: number;
  /** @default 'ACTIVE' */
  status?: string;
  page?: number;
  pageSize?: number;
}

/** The write a request is about (for errors). */
export interface WriteSubject {
  operation: string;
  deviceId: string;
  subject: string;
}

type ServiceList = z.infer<typeof revioServiceListSchema>;
type ServiceProductList = z.infer<typeof revioServiceProductListSchema>;

/** `GET /v1/Services?search.customer_id=&search.number=&search.page=&search.page_size=`. */
export function listServicesRequest(query: ListServicesQuery): RevioRequest<ServiceList> {
  return {
    method: 'GET',
    path: '/Services',
    query: {
      'search.customer_id': query.customerId,
      'search.number': query.number,
      'search.page': query.page ?? 1,
      'search.page_size': query.pageSize ?? 100,
    },
    operation: 'listServices',
    deviceId: query.number,
    schema: revioServiceListSchema,
  };
}

/** `GET /v1/ServiceProduct?search.service_id=&search.status=&search.page=&search.page_size=`. */
export function listServiceProductsRequest(
  query: ListServiceProductsQuery,
): RevioRequest<ServiceProductList> {
  return {
    method: 'GET',
    path: '/ServiceProduct',
    query: {
      'search.service_id': query.serviceId,
      'search.status': query.status ?? 'ACTIVE',
      'search.page': query.page ?? 1,
      'search.page_size': query.pageSize ?? 100,
    },
    operation: 'listServiceProducts',
    deviceId: String(query.serviceId),
    subject: `service ${query.serviceId}`,
    schema: revioServiceProductListSchema,
  };
}

/** The service a create with `body` produced, if the page shows one. */
export function matchCreatedService(
  page: ServiceList,
  body: RevioCreateServiceBody,
): RevioCreated | undefined {
  const match = page.records
    .filter(
      (s) =>
        s.customer_id === body.customer_id &&
        s.number === body.number &&
        (body.number2 === undefined || s.number2 === body.number2) &&
        s.service_type_id === body.service_type_id &&
        (s.disconnected_date ?? null) === null,
    )
    .sort((a, b) => b.service_id - a.service_id)[0];
  return match === undefined ? undefined : { id: match.service_id, recovered: true };
}

/** The service product a create with `body` produced, if the page shows one. */
export function matchCreatedServiceProduct(
  page: ServiceProductList,
  body: RevioCreateServiceProductBody,
): RevioCreated | undefined {
  const match = page.records
    .filter(
      (p) =>
        p.service_id === body.service_id &&
        p.product_id === body.product_id &&
        p.customer_id === body.customer_id &&
        p.rate === body.rate,
    )
    .sort((a, b) => b.service_product_id - a.service_product_id)[0];
  return match === undefined ? undefined : { id: match.service_product_id, recovered: true };
}

/**
 * Wraps a lookup run after an ambiguous write so that it takes a limiter token like any call.
 * (If the lookup fails, the resilience policy fails the write as ambiguous and never re-sends
 * it.)
 */
export function ambiguousWriteLookup<T>(
  limiter: RateLimiter | undefined,
  find: (signal: AbortSignal) => Promise<T | undefined>,
): (signal: AbortSignal) => Promise<T | undefined> {
  return (signal) =>
    limiter === undefined ? find(signal) : withRateLimit(limiter, () => find(signal), signal);
}

/** A create input that cannot be sent: rejected before any HTTP call. */
export function invalidInput(what: WriteSubject, problem: InputProblem): IntegrationError {
  return new IntegrationError(
    ErrorCode.INTEGRATION_REJECTED,
    `revio ${what.operation} for ${what.subject} not sent: ${problem.field} ${problem.message}`,
    { api: 'revio', operation: what.operation, deviceId: what.deviceId, retryable: false },
  );
}
