/**
 * Typed client of the Rev.io billing REST API (carrier-apis.md §4): read a service, patch its
 * custom fields / description (JSON Patch), create service lines and service products, and the
 * two list reads the creates need to find out whether an ambiguous write happened.
 *
 * Every operation runs through the account's call runner (resilience policy + rate limiter).
 * Reads and JSON Patch `replace` are idempotent. Creates are not: after an ambiguous failure
 * (timeout, connection lost, 500/502/504, unreadable 2xx) the client first lists what exists and
 * returns the matching record (`recovered: true`); it re-sends only when nothing matches (see
 * `revio-lookups.ts` for what "matching" means).
 */
import { type CallRunner, createCallRunner } from '../shared/call-runner.ts';
import type { RateLimiter } from '../shared/rate-limiter.ts';
import { createResiliencePolicy, type ResiliencePolicy } from '../shared/resilience.ts';
import { createRevioHttp, type RevioCredentials, type RevioRequest } from './revio-http.ts';
import {
  ambiguousWriteLookup,
  invalidInput,
  type ListServiceProductsQuery,
  type ListServicesQuery,
  listServiceProductsRequest,
  listServicesRequest,
  matchCreatedService,
  matchCreatedServiceProduct,
} from './revio-lookups.ts';
import {
  type CreateServiceInput,
  type CreateServiceProductInput,
  type RevioCreated,
  type RevioService,
  type RevioServiceProduct,
  toCreateServiceBody,
  toCreateServiceProductBody,
  toRevioService,
  toRevioServiceProduct,
} from './revio-mapper.ts';
import {
  type RevioPatchOp,
  revioCreateResponseSchema,
  revioPatchOpSchema,
  revioServiceResponseSchema,
  revioUpdateResponseSchema,
} from './revio-wire.ts';

export type { RevioCredentials } from './revio-http.ts';
export type { ListServiceProductsQuery, ListServicesQuery } from './revio-lookups.ts';
export type {
  CreateServiceInput,
  CreateServiceProductInput,
  RevioCreated,
  RevioField,
  RevioService,
  RevioServiceProduct,
} from './revio-mapper.ts';
export type { RevioPatchOp } from './revio-wire.ts';

/** Options of {@link createRevioClient}. */
export interface RevioClientOptions {
  /** Base URL including the version segment, e.g. `https://api.revioapi.com/v1`. */
  baseUrl: string;
  credentials: RevioCredentials;
  /** Per-attempt time limit. @default 30000 (the original waited 30 s) */
  timeoutMs?: number;
  /** Resilience policy of the account. @default createResiliencePolicy({ api: 'revio', account: `revio:<clientCode>` }) */
  policy?: ResiliencePolicy;
  /** Rate limiter of the account (Rev.io allows 500 calls/minute). @default none */
  limiter?: RateLimiter;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** Per-call options of every operation. */
export interface RevioCallOptions {
  signal?: AbortSignal;
}

/** One page of a list. */
export interface RevioPage<T> {
  records: T[];
  /** Records matching the search, all pages together. */
  recordCount: number;
}

/** Result of {@link RevioClient.patchService}. */
export interface RevioPatchResult {
  serviceId: number;
  /** Operations sent (0: nothing to change, no call made). */
  applied: number;
}

/** Rev.io operations of the bulk-change flows. */
export interface RevioClient {
  /** `GET /v1/Services/{id}`; a body with `ok: false` is a failure (INTEGRATION_REJECTED). */
  getService(serviceId: number, options?: RevioCallOptions): Promise<RevioService>;
  /**
   * `PATCH /v1/Services/{id}` with `application/json-patch+json`; empty `ops` sends nothing; an
   * op other than a text `replace` of `/description` or `/fields/{i}/value` is refused unsent.
   */
  patchService(
    serviceId: number,
    ops: readonly RevioPatchOp[],
    options?: RevioCallOptions,
  ): Promise<RevioPatchResult>;
  /** `POST /v1/Services` (not idempotent: looks up before any re-send). */
  createService(input: CreateServiceInput, options?: RevioCallOptions): Promise<RevioCreated>;
  /** `POST /v1/ServiceProduct` (not idempotent: looks up before any re-send). */
  createServiceProduct(
    input: CreateServiceProductInput,
    options?: RevioCallOptions,
  ): Promise<RevioCreated>;
  /** `GET /v1/Services?search.customer_id=&search.number=&search.page=&search.page_size=`. */
  listServices(
    query: ListServicesQuery,
    options?: RevioCallOptions,
  ): Promise<RevioPage<RevioService>>;
  /** `GET /v1/ServiceProduct?search.service_id=&search.status=`. */
  listServiceProducts(
    query: ListServiceProductsQuery,
    options?: RevioCallOptions,
  ): Promise<RevioPage<RevioServiceProduct>>;
}

/**
 * Creates the client of one Rev.io tenant.
 *
 * @example
 * const revio = createRevioClient({
 *   baseUrl: 'http://127.0.0.1:4013/v1',
 *   credentials: { login: 'demo-api', clientCode: 'DEMO', password, subscriptionKey },
 *   policy: createResiliencePolicy({ api: 'revio', account: 'revio:DEMO' }),
 *   limiter: createTokenBucketLimiter({ ratePerSecond: 8, maxConcurrent: 4 }),
 * });
 * const service = await revio.getService(700001);
 * const { ops, unmapped } = buildCostCenterPatch(service, { CostCenter1: 'OPS-12' });
 * await revio.patchService(service.serviceId, ops);
 * const { id } = await revio.createService({ CustomerId: 100101, Number: '15551230001',
 *   Number2: '89014103211118510720', ServiceTypeId: 101, ActivatedDate: '2024-05-01' });
 */
export function createRevioClient(options: RevioClientOptions): RevioClient {
  const http = createRevioHttp({
    baseUrl: options.baseUrl,
    credentials: options.credentials,
    timeoutMs: options.timeoutMs ?? 30_000,
    fetch: options.fetch,
  });
  const policy =
    options.policy ??
    createResiliencePolicy({ api: 'revio', account: `revio:${options.credentials.clientCode}` });
  const runner: CallRunner = createCallRunner({ policy, limiter: options.limiter });
  const read = <T>(request: RevioRequest<T>, signal: AbortSignal | undefined): Promise<T> =>
    runner.run((s) => http.send(request, s), { idempotent: true, signal });

  const lookupAfter = <T>(find: (signal: AbortSignal) => Promise<T | undefined>) =>
    ambiguousWriteLookup(options.limiter, find);

  return {
    async getService(serviceId, opts = {}) {
      const body = await read(
        {
          method: 'GET',
          path: `/Services/${serviceId}`,
          operation: 'getService',
          deviceId: String(serviceId),
          subject: `service ${serviceId}`,
          schema: revioServiceResponseSchema,
        },
        opts.signal,
      );
      return toRevioService(body);
    },

    async patchService(serviceId, ops, opts = {}) {
      if (ops.length === 0) return { serviceId, applied: 0 };
      const bad = ops.findIndex((op) => !revioPatchOpSchema.safeParse(op).success);
      if (bad >= 0) {
        throw invalidInput(
          {
            operation: 'patchService',
            deviceId: String(serviceId),
            subject: `service ${serviceId}`,
          },
          {
            field: `ops[${bad}]`,
            message: `must be { op: 'replace', path: '/description' | '/fields/{i}/value', value: text }`,
          },
        );
      }
      await runner.run(
        (signal) =>
          http.send(
            {
              method: 'PATCH',
              path: `/Services/${serviceId}`,
              json: ops,
              contentType: 'application/json-patch+json',
              operation: 'patchService',
              deviceId: String(serviceId),
              subject: `service ${serviceId}`,
              schema: revioUpdateResponseSchema,
            },
            signal,
          ),
        // Every op is a `replace` with a fixed value: applying it twice changes nothing.
        { idempotent: true, signal: opts.signal },
      );
      return { serviceId, applied: ops.length };
    },

    async createService(input, opts = {}) {
      const what = {
        operation: 'createService',
        deviceId: input.Number,
        subject: `number ${input.Number}`,
      };
      const built = toCreateServiceBody(input);
      if (!built.ok) throw invalidInput(what, built.problem);
      const body = built.body;
      const lookup = lookupAfter(async (signal) =>
        matchCreatedService(
          await http.send(
            listServicesRequest({ customerId: body.customer_id, number: body.number }),
            signal,
          ),
          body,
        ),
      );
      return runner.run(
        async (signal) => {
          const created = await http.send(
            {
              method: 'POST',
              path: '/Services',
              json: body,
              ...what,
              schema: revioCreateResponseSchema,
            },
            signal,
          );
          return { id: created.id, recovered: false };
        },
        { idempotent: false, lookup, signal: opts.signal },
      );
    },

    async createServiceProduct(input, opts = {}) {
      const what = {
        operation: 'createServiceProduct',
        deviceId: String(input.ServiceId),
        subject: `service ${input.ServiceId} product ${input.ProductId}`,
      };
      const built = toCreateServiceProductBody(input);
      if (!built.ok) throw invalidInput(what, built.problem);
      const body = built.body;
      const lookup = lookupAfter(async (signal) =>
        matchCreatedServiceProduct(
          await http.send(listServiceProductsRequest({ serviceId: body.service_id }), signal),
          body,
        ),
      );
      return runner.run(
        async (signal) => {
          const created = await http.send(
            {
              method: 'POST',
              path: '/ServiceProduct',
              json: body,
              ...what,
              schema: revioCreateResponseSchema,
            },
            signal,
          );
          return { id: created.id, recovered: false };
        },
        { idempotent: false, lookup, signal: opts.signal },
      );
    },

    async listServices(query, opts = {}) {
      const page = await read(listServicesRequest(query), opts.signal);
      return { records: page.records.map(toRevioService), recordCount: page.record_count };
    },

    async listServiceProducts(query, opts = {}) {
      const page = await read(listServiceProductsRequest(query), opts.signal);
      return {
        records: page.records.map(toRevioServiceProduct),
        recordCount: page.record_count,
      };
    },
  };
}
