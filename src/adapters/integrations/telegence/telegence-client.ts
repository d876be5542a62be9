/**
 * Typed client of AT&T Telegence (business mobility line config), carrier-apis.md §3.
 *
 * Every request carries the two static auth headers `app-id` / `app-secret` (no token
 * exchange) and `Cache-Control: no-cache`, as AT&T customers' scripts do. Every operation runs
 * through the account's {@link CallRunner} (retry + circuit breaker around the rate limiter),
 * with idempotency declared per operation:
 *
 * | operation           | request                                   | idempotent | lookup           |
 * |---------------------|-------------------------------------------|------------|------------------|
 * | getLine             | GET  /service/{mdn}                       | yes        | –                |
 * | changeRatePlan      | PATCH /service/{mdn} singleUserCode       | yes (absolute value, same body on retry) | – |
 * | swapEquipment       | PATCH /service/{mdn} sim/IMEI             | yes (absolute values) | –     |
 * | changeStatus        | PATCH /service/{mdn} mode/reasonCode      | no (the carrier refuses a repeated transition) | line status |
 * | removeOffering      | PATCH /service/{mdn} removeOfferingCode   | no (a repeated removal is refused) | offering gone |
 * | activateServices    | POST /serviceactivation [≤ 200]           | no         | device list by ICCID |
 * | getActivationStatus | GET  /serviceactivation/{id}              | yes        | –                |
 * | listLines           | GET  /sp/mobility/api/v1/account (paged)  | yes        | –                |
 *
 * Batches of more than 200 activations are refused before sending (INTEGRATION_REJECTED);
 * callers split with {@link splitActivationBatches}, as the original does.
 */

import { createCallRunner } from '../shared/call-runner.ts';
import type { HttpResponse, HttpTransport } from '../shared/http-transport.ts';
import { createHttpTransport } from '../shared/http-transport.ts';
import { IntegrationApi } from '../shared/integration-error.ts';
import { type RateLimiter, withRateLimit } from '../shared/rate-limiter.ts';
import type { ResiliencePolicy } from '../shared/resilience.ts';
import {
  badResponseError,
  createRedactor,
  errorFromResponse,
  type TelegenceOperation,
  unconfirmedWriteError,
  withDevice,
} from './telegence-errors.ts';
import type {
  TelegenceActivationLine,
  TelegenceLine,
  TelegenceListedLine,
  TelegenceSwapInput,
} from './telegence-mapper.ts';
import { createTelegenceOperations } from './telegence-operations.ts';
import {
  TELEGENCE_DEVICE_LIST_PATH,
  TELEGENCE_PATHS,
  type TelegenceActivationRequest,
  type TelegenceStatusAction,
} from './telegence-wire.ts';

/** Options of {@link createTelegenceClient}. */
export interface TelegenceClientOptions {
  /** Lineconfig base URL, e.g. `https://apsapi.att.com:8082/sp/mobility/lineconfig/api/v1`. */
  baseUrl: string;
  /** Sent as `app-id` (the service provider's `settings.appId`). */
  appId: string;
  /** Sent as `app-secret` (the opened `secrets.appSecret`). */
  appSecret: string;
  /** Per-attempt time limit. @default 15000 */
  timeoutMs?: number;
  /** The account's retry + circuit breaker policy. @default none (one attempt) */
  policy?: ResiliencePolicy;
  /** The account's rate limiter. @default none */
  limiter?: RateLimiter;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Activation path relative to `baseUrl`. @default '/serviceactivation' */
  activationPath?: string;
  /** Full URL of the device list. @default `{origin of baseUrl}/sp/mobility/api/v1/account` */
  deviceListUrl?: string;
  /** Page size used when the activation lookup scans the device list. @default 250 */
  deviceListPageSize?: number;
  /** Clock for default effective dates. @default () => new Date() */
  now?: () => Date;
}

/** Per-call options. */
export interface TelegenceCallOptions {
  signal?: AbortSignal;
}

/** Result of a line PATCH. */
export interface TelegenceWriteResult {
  subscriberNumber: string;
  /** Vendor interaction id of the acknowledgement (absent when confirmed by lookup). */
  interactionId: string | undefined;
  /** Effective date the vendor acknowledged, when it returned one. */
  effectiveDate: string | undefined;
  /** The PATCH failed ambiguously (timeout, 5xx) and a read showed the change applied. */
  confirmedByLookup: boolean;
}

/** Result of a batch activation POST. */
export interface TelegenceActivationSubmission {
  /** Id to poll with {@link TelegenceClient.getActivationStatus} (the first record's id). */
  activationId: string | undefined;
  lines: TelegenceActivationLine[];
  /**
   * The POST failed ambiguously and the device list showed lines with the batch's ICCIDs:
   * the activation happened; `activationId` is unknown, `foundLines` lists what was found.
   */
  confirmedByLookup: boolean;
  foundLines: TelegenceListedLine[];
  /**
   * The POST failed ambiguously, the device list showed none of the batch's SIMs, and the
   * caller asked not to re-send (`ifAmbiguous: 'report'`): the activation may or may not have
   * been accepted (lines show in the device list only from `reserved` on).
   */
  unconfirmed: boolean;
}

/** Options of {@link TelegenceClient.activateServices}. */
export interface TelegenceActivationOptions extends TelegenceCallOptions {
  /**
   * After an ambiguous failure (timeout, connection lost, 500/504) whose device-list lookup
   * finds none of the SIMs: `resend` the batch (the default) or `report` it as `unconfirmed`
   * without sending it again (a pending activation is invisible to the lookup, so a re-send
   * may activate twice or be refused as a duplicate).
   * @default 'resend'
   */
  ifAmbiguous?: 'resend' | 'report';
}

/** State of an activation. */
export interface TelegenceActivationState {
  activationId: string;
  lines: TelegenceActivationLine[];
  /** No line is pending or reserved any more (the original's "processed"). */
  processed: boolean;
  /** Every line reports `service.name == "/service/"` (the original fails the request). */
  esimRequired: boolean;
}

/** One page of the device list. */
export interface TelegenceLinePage {
  lines: TelegenceListedLine[];
  page: number;
  /** `page-total` response header (1 when absent). */
  pageTotal: number;
}

/** Status change input. */
export interface TelegenceStatusChange {
  action: TelegenceStatusAction;
  /** Reason code for the target status (from the AMOP lookup table). */
  reasonCode: string;
  /** When the change takes effect; omitted = at once. */
  effectiveDate?: Date | string;
}

/** Rate plan change input. */
export interface TelegenceRatePlanChange {
  /** The `singleUserCode`. */
  ratePlanCode: string;
  /** @default now */
  effectiveDate?: Date | string;
}

/** The typed Telegence client of one account. */
export interface TelegenceClient {
  getLine(msisdn: string, options?: TelegenceCallOptions): Promise<TelegenceLine>;
  changeRatePlan(
    msisdn: string,
    change: TelegenceRatePlanChange,
    options?: TelegenceCallOptions,
  ): Promise<TelegenceWriteResult>;
  changeStatus(
    msisdn: string,
    change: TelegenceStatusChange,
    options?: TelegenceCallOptions,
  ): Promise<TelegenceWriteResult>;
  swapEquipment(
    msisdn: string,
    swap: TelegenceSwapInput,
    options?: TelegenceCallOptions,
  ): Promise<TelegenceWriteResult>;
  removeOffering(
    msisdn: string,
    offeringCode: string,
    options?: TelegenceCallOptions,
  ): Promise<TelegenceWriteResult>;
  activateServices(
    requests: readonly TelegenceActivationRequest[],
    options?: TelegenceActivationOptions,
  ): Promise<TelegenceActivationSubmission>;
  getActivationStatus(
    activationId: string,
    options?: TelegenceCallOptions,
  ): Promise<TelegenceActivationState>;
  listLines(
    page?: { page?: number; pageSize?: number },
    options?: TelegenceCallOptions,
  ): Promise<TelegenceLinePage>;
}

/** One HTTP exchange as the operations describe it. */
export interface TelegenceExchange<T> {
  operation: TelegenceOperation;
  deviceId?: string;
  method: 'GET' | 'PATCH' | 'POST';
  /** `lineconfig` base or the device list URL. */
  target: 'lineconfig' | 'deviceList';
  path: string;
  json?: unknown;
  headers?: Record<string, string>;
  /** The request carries a new ICCID (a `/service/` 404 then means eSIM required). */
  sentIccid?: boolean;
  /** Turns a 2xx response into the result; throws {@link badResponseError} when unusable. */
  parse(response: HttpResponse, fail: (reason: string) => never): T;
}

/** What {@link createTelegenceOperations} builds on. */
export interface TelegenceCore {
  /** Runs an exchange through the call runner. */
  run<T>(
    exchange: TelegenceExchange<T>,
    how: {
      idempotent: boolean;
      lookup?: (signal: AbortSignal) => Promise<T | undefined>;
      signal?: AbortSignal;
    },
  ): Promise<T>;
  /** One attempt under the rate limiter, no retry (for lookups); failures become unconfirmed. */
  lookupOnce<T>(
    exchange: TelegenceExchange<T>,
    signal: AbortSignal,
    forOp: TelegenceOperation,
  ): Promise<T>;
  readonly activationPath: string;
  readonly deviceListPageSize: number;
  now(): Date;
}

/**
 * Creates the client of one Telegence account.
 *
 * @example
 * const client = createTelegenceClient({
 *   baseUrl: sp.settings.baseUrl,          // http://127.0.0.1:4012/sp/mobility/lineconfig/api/v1
 *   appId: sp.settings.appId,
 *   appSecret: secrets.appSecret,
 *   policy: createResiliencePolicy({ api: 'telegence', account: `telegence:${sp.id}` }),
 *   limiter: createTokenBucketLimiter({ ratePerSecond: 10, maxConcurrent: 10 }),
 * });
 * await client.changeRatePlan('2145550123', { ratePlanCode: 'IOTDATA25MB' });
 * const line = await client.getLine('2145550123');
 */
export function createTelegenceClient(options: TelegenceClientOptions): TelegenceClient {
  const lineconfig = createHttpTransport({
    api: IntegrationApi.Telegence,
    baseUrl: options.baseUrl,
    timeoutMs: options.timeoutMs,
    fetch: options.fetch,
  });
  const deviceList = createHttpTransport({
    api: IntegrationApi.Telegence,
    baseUrl: options.deviceListUrl ?? new URL(TELEGENCE_DEVICE_LIST_PATH, options.baseUrl).href,
    timeoutMs: options.timeoutMs,
    fetch: options.fetch,
  });
  const transports: Record<TelegenceExchange<unknown>['target'], HttpTransport> = {
    lineconfig,
    deviceList,
  };
  const auth = {
    'app-id': options.appId,
    'app-secret': options.appSecret,
    'cache-control': 'no-cache',
  };
  const redact = createRedactor([options.appSecret, options.appId]);
  const runner = createCallRunner({ policy: options.policy, limiter: options.limiter });

  const attempt = async <T>(x: TelegenceExchange<T>, signal: AbortSignal): Promise<T> => {
    let response: HttpResponse;
    try {
      response = await transports[x.target].request({
        method: x.method,
        path: x.path,
        json: x.json,
        headers: { ...auth, ...(x.headers ?? {}) },
        operation: x.operation,
        deviceId: x.deviceId,
        signal,
      });
    } catch (error) {
      throw withDevice(error, x.deviceId);
    }
    const write = x.method !== 'GET';
    if (response.status < 200 || response.status > 299) {
      throw errorFromResponse(
        {
          operation: x.operation,
          deviceId: x.deviceId,
          write,
          sentIccid: x.sentIccid ?? false,
          status: response.status,
          headers: response.headers,
          json: response.json,
          text: response.text,
        },
        redact,
      );
    }
    const fail = (reason: string): never => {
      throw badResponseError(
        {
          operation: x.operation,
          deviceId: x.deviceId,
          write,
          status: response.status,
          text: response.text,
        },
        reason,
        redact,
      );
    };
    if (response.malformed) fail('body is not valid JSON');
    return x.parse(response, fail);
  };

  const core: TelegenceCore = {
    run(exchange, how) {
      return runner.run((signal) => attempt(exchange, signal), how);
    },
    async lookupOnce(exchange, signal, forOp) {
      try {
        const limiter = options.limiter;
        return limiter === undefined
          ? await attempt(exchange, signal)
          : await withRateLimit(limiter, () => attempt(exchange, signal), signal);
      } catch (error) {
        throw unconfirmedWriteError(forOp, exchange.deviceId, error);
      }
    },
    activationPath: options.activationPath ?? TELEGENCE_PATHS.activation,
    deviceListPageSize: options.deviceListPageSize ?? 250,
    now: options.now ?? (() => new Date()),
  };
  return createTelegenceOperations(core);
}

export {
  TELEGENCE_ESIM_ACTIVATION_MESSAGE,
  TELEGENCE_ESIM_REQUIRED_MESSAGE,
} from './telegence-errors.ts';
export { splitActivationBatches } from './telegence-mapper.ts';
