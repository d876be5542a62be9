/**
 * Builds the AT&T Telegence gateway of a service provider: the client with the account's
 * resilience policy and rate limiter, plus the pure activation-record builder the handlers
 * use to turn a StatusUpdate request into one activation record per device.
 *
 * Settings of the service provider: `baseUrl` (lineconfig base), `appId`,
 * `billingAccountNumber` (default BAN of activation records), `rateLimitPerSecond` and
 * `maxConcurrent` (default 10 each: the original sends up to 10 PATCHes at once); credentials:
 * `appSecret`.
 */

import type { RateLimiter } from '../adapters/integrations/shared/rate-limiter.ts';
import { createResiliencePolicy } from '../adapters/integrations/shared/resilience.ts';
import {
  createTelegenceClient,
  type TelegenceActivationSubmission,
} from '../adapters/integrations/telegence/telegence-client.ts';
import {
  type TelegenceActivationLine,
  type TelegenceListedLine,
  withoutRemoveOfferings,
} from '../adapters/integrations/telegence/telegence-mapper.ts';
import {
  activationRequestSchema,
  TELEGENCE_MAX_ACTIVATIONS_PER_REQUEST,
  type TelegenceActivationRequest,
} from '../adapters/integrations/telegence/telegence-wire.ts';
import type {
  TelegenceActivationLineView,
  TelegenceActivationSubmissionView,
  TelegenceGateway,
  TelegenceListedLineView,
} from '../app/ports/carrier-gateways.ts';
import type { EngineServiceProvider } from '../app/ports/engine-store.ts';
import { AppError, ErrorCode } from '../domain/errors.ts';
import type { SecretBox } from '../domain/secret-ref.ts';

/** AT&T publishes no limit; the original sends up to 10 requests at once. */
export const TELEGENCE_DEFAULT_LIMITS = Object.freeze({ ratePerSecond: 10, maxConcurrent: 10 });

/** Most device-list pages one SIM lookup reads. */
const MAX_LIST_PAGES = 400;

/**
 * Creates the gateway of one Telegence service provider.
 *
 * @example
 * const telegence = buildTelegenceGateway(provider, { secretBox, limiterFor, timed });
 * await telegence.changeRatePlan('12145550123', { ratePlanCode: 'IOTDATA5MB' });
 */
export function buildTelegenceGateway(
  provider: EngineServiceProvider,
  deps: {
    secretBox: SecretBox;
    timeoutMs?: number;
    limiterFor: (key: string, ratePerSecond: number, maxConcurrent: number) => RateLimiter;
    timed: <T>(api: string, operation: string, call: () => Promise<T>) => Promise<T>;
    /** Retry settings of the account policy (tests shorten the backoff). */
    retry?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  },
): TelegenceGateway {
  const settings = provider.settings;
  const text = (name: string): string => {
    const value = settings[name];
    if (typeof value !== 'string' || value.trim() === '') {
      throw new AppError(
        ErrorCode.CONFIG_INVALID,
        `Service provider ${provider.name} has no ${name} setting`,
      );
    }
    return value;
  };
  const secretRef = provider.credentials.appSecret;
  if (secretRef === undefined) {
    throw new AppError(
      ErrorCode.CONFIG_INVALID,
      `Service provider ${provider.name} has no Telegence app secret`,
    );
  }
  const account = `telegence:${provider.id}`;
  const client = createTelegenceClient({
    baseUrl: text('baseUrl'),
    appId: text('appId'),
    appSecret: deps.secretBox.open(secretRef),
    timeoutMs: deps.timeoutMs ?? 15_000,
    policy: createResiliencePolicy({ api: 'telegence', account, ...(deps.retry ?? {}) }),
    limiter: deps.limiterFor(
      account,
      positive(settings.rateLimitPerSecond) ?? TELEGENCE_DEFAULT_LIMITS.ratePerSecond,
      positive(settings.maxConcurrent) ?? TELEGENCE_DEFAULT_LIMITS.maxConcurrent,
    ),
  });
  const defaultBan =
    typeof settings.billingAccountNumber === 'string' ? settings.billingAccountNumber : undefined;

  const findLinesBySim: TelegenceGateway['findLinesBySim'] = async (iccids, options = {}) => {
    const wanted = new Set(iccids);
    const found: TelegenceListedLineView[] = [];
    for (let page = 1; page <= MAX_LIST_PAGES && found.length < wanted.size; page++) {
      const result = await deps.timed('telegence', 'listLines', () =>
        client.listLines({ page }, options),
      );
      for (const line of result.lines) {
        if (line.iccid !== undefined && wanted.has(line.iccid)) found.push(listed(line));
      }
      if (page >= result.pageTotal) break;
    }
    return found;
  };

  return {
    maxActivationsPerRequest: TELEGENCE_MAX_ACTIVATIONS_PER_REQUEST,
    getLine: (msisdn, options) =>
      deps.timed('telegence', 'getLine', async () => {
        const line = await client.getLine(msisdn, options);
        return {
          subscriberNumber: line.subscriberNumber,
          status: line.status,
          ...(line.iccid === undefined ? {} : { iccid: line.iccid }),
          ...(line.imei === undefined ? {} : { imei: line.imei }),
          ...(line.ratePlanCode === undefined ? {} : { ratePlanCode: line.ratePlanCode }),
        };
      }),
    changeStatus: (msisdn, change, options) =>
      deps.timed('telegence', 'changeStatus', async () =>
        write(await client.changeStatus(msisdn, change, options)),
      ),
    changeRatePlan: (msisdn, change, options) =>
      deps.timed('telegence', 'changeRatePlan', async () =>
        write(await client.changeRatePlan(msisdn, change, options)),
      ),
    swapEquipment: (msisdn, swap, options) =>
      deps.timed('telegence', 'swapEquipment', async () =>
        write(await client.swapEquipment(msisdn, swap, options)),
      ),
    buildActivation: (template, device) => buildActivationRecord(template, device, defaultBan),
    activateServices: (records, options) =>
      deps.timed('telegence', 'activateServices', async () =>
        submission(
          await client.activateServices(records as unknown as TelegenceActivationRequest[], {
            ...options,
            ifAmbiguous: 'report',
          }),
        ),
      ),
    getActivationStatus: (activationId, options) =>
      deps.timed('telegence', 'getActivationStatus', async () => {
        const state = await client.getActivationStatus(activationId, options);
        return {
          activationId: state.activationId,
          lines: state.lines.map(activationLine),
          processed: state.processed,
        };
      }),
    findLinesBySim,
  };
}

/**
 * One device's activation record: the template with the device's `sim` (and `IMEI`) set in
 * place (appended when absent), `removeOfferingCode` entries stripped, the provider's billing
 * account filled in when the template has none, validated against the wire schema.
 */
export function buildActivationRecord(
  template: unknown,
  device: { iccid: string; imei?: string },
  defaultBan: string | undefined,
): { ok: true; record: Readonly<Record<string, unknown>> } | { ok: false; error: string } {
  if (!isObject(template) || !isObject(template.service)) {
    return {
      ok: false,
      error:
        'Request must be a Telegence activation record: { billingAccount, relatedParty, service: { serviceCharacteristic, … } }',
    };
  }
  // Checked per device, so that one bad identifier cannot make the carrier refuse the batch.
  if (!/^\d{19,20}$/.test(device.iccid)) {
    return { ok: false, error: `ICCID ${device.iccid} is not a 19-20 digit SIM number` };
  }
  if (device.imei !== undefined && !/^\d{15}$/.test(device.imei)) {
    return {
      ok: false,
      error: `IMEI ${device.imei} must have 15 digits for a Telegence activation`,
    };
  }
  const chars = Array.isArray(template.service.serviceCharacteristic)
    ? (template.service.serviceCharacteristic as unknown[])
    : [];
  const set = (list: unknown[], name: string, value: string | undefined): unknown[] => {
    if (value === undefined) return list;
    const at = list.findIndex((c) => isObject(c) && c.name === name);
    return at < 0
      ? [...list, { name, value }]
      : list.map((c, i) => (i === at ? { name, value } : c));
  };
  const record = {
    ...template,
    ...(template.billingAccount === undefined && defaultBan !== undefined
      ? { billingAccount: { id: defaultBan } }
      : {}),
    service: {
      ...template.service,
      serviceCharacteristic: set(set(chars, 'IMEI', device.imei), 'sim', device.iccid),
    },
  };
  const parsed = activationRequestSchema.safeParse(record);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue === undefined ? '' : issue.path.join('.');
    return {
      ok: false,
      error: `Request.${path || '(record)'}: ${issue?.message ?? 'invalid activation record'}`,
    };
  }
  return { ok: true, record: withoutRemoveOfferings(parsed.data) };
}

function write(result: {
  subscriberNumber: string;
  interactionId: string | undefined;
  effectiveDate: string | undefined;
  confirmedByLookup: boolean;
}) {
  return {
    subscriberNumber: result.subscriberNumber,
    ...(result.interactionId === undefined ? {} : { interactionId: result.interactionId }),
    ...(result.effectiveDate === undefined ? {} : { effectiveDate: result.effectiveDate }),
    confirmedByLookup: result.confirmedByLookup,
  };
}

function submission(result: TelegenceActivationSubmission): TelegenceActivationSubmissionView {
  return {
    ...(result.activationId === undefined ? {} : { activationId: result.activationId }),
    lines: result.lines.map(activationLine),
    confirmedByLookup: result.confirmedByLookup,
    foundLines: result.foundLines.map(listed).filter((l) => l.iccid !== ''),
    unconfirmed: result.unconfirmed,
  };
}

function activationLine(line: TelegenceActivationLine): TelegenceActivationLineView {
  return {
    ...(line.iccid === undefined ? {} : { iccid: line.iccid }),
    ...(line.subscriberNumber === undefined ? {} : { subscriberNumber: line.subscriberNumber }),
    status: line.status,
    ...(line.error === undefined ? {} : { error: line.error }),
    esimRequired: line.esimRequired,
  };
}

function listed(line: TelegenceListedLine): TelegenceListedLineView {
  return { iccid: line.iccid ?? '', subscriberNumber: line.subscriberNumber, status: line.status };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function positive(value: unknown): number | undefined {
  return typeof value === 'number' && value > 0 ? value : undefined;
}
