/**
 * Builds carrier clients for service providers, once per account: the client, its resilience
 * policy (one circuit breaker per account) and its rate limiter (in memory for one process,
 * shared through the database when several workers use PostgreSQL).
 */
import type { Kysely } from 'kysely';
import { createPgRateLimiter } from '../adapters/db/pg-rate-limiter.ts';
import type { Database } from '../adapters/db/schema.ts';
import { createJasperClient } from '../adapters/integrations/jasper/jasper-client.ts';
import {
  createJasperLimiter,
  createJasperPolicy,
  JASPER_DEFAULT_LIMITS,
} from '../adapters/integrations/jasper/jasper-defaults.ts';
import type { RateLimiter } from '../adapters/integrations/shared/rate-limiter.ts';
import type {
  CarrierGateways,
  JasperGateway,
  RevioGateway,
  TelegenceGateway,
  ThingSpaceGateway,
} from '../app/ports/carrier-gateways.ts';
import type { EngineServiceProvider } from '../app/ports/engine-store.ts';
import { AppError, ErrorCode } from '../domain/errors.ts';
import type { SecretBox } from '../domain/secret-ref.ts';
import type { EngineMetrics } from './engine-metrics.ts';
import { buildRevioGateway } from './revio-gateway.ts';
import { buildTelegenceGateway } from './telegence-gateway.ts';
import { buildThingSpaceGateway } from './thingspace-gateway.ts';

/** Options of {@link createCarrierGateways}. */
export interface CarrierGatewayOptions {
  secretBox: SecretBox;
  /** When set, rate limits are shared through this database (several worker processes). */
  sharedLimitsDb?: Kysely<Database>;
  /** Per-call timeout of carrier clients. @default 15000 */
  timeoutMs?: number;
  /** Records call latency, limiter waits and breaker state. */
  metrics?: EngineMetrics;
}

/**
 * Creates the gateway factory.
 *
 * @example
 * const gateways = createCarrierGateways({ secretBox });
 * await gateways.jasper(provider).editDevice(iccid, { ratePlan: 'PLAN-B' });
 */
export function createCarrierGateways(options: CarrierGatewayOptions): CarrierGateways {
  const jasperClients = new Map<number, JasperGateway>();
  const revioClients = new Map<number, RevioGateway>();
  const thingspaceClients = new Map<number, ThingSpaceGateway>();
  const telegenceClients = new Map<number, TelegenceGateway>();

  const metrics = options.metrics;
  const limiterFor = (key: string, ratePerSecond: number, maxConcurrent: number): RateLimiter => {
    const limiter =
      options.sharedLimitsDb === undefined
        ? createJasperLimiter({ ratePerSecond, maxConcurrent })
        : createPgRateLimiter(options.sharedLimitsDb, {
            key,
            ratePerSecond,
            maxConcurrent,
            burst: 1,
            // A slot is held for one attempt (≤ the call timeout); a dead worker's slot frees soon.
            slotLeaseMs: (options.timeoutMs ?? 15_000) + 5_000,
          });
    if (metrics === undefined) return limiter;
    return {
      async acquire(signal) {
        const started = performance.now();
        const release = await limiter.acquire(signal);
        metrics.observeLimiterWait(key, performance.now() - started);
        return release;
      },
    };
  };
  const timed = async <T>(api: string, operation: string, call: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      const result = await call();
      metrics?.observeCarrierCall(api, operation, 'ok', performance.now() - started);
      return result;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const outcome = typeof code === 'string' ? code : 'error';
      metrics?.observeCarrierCall(api, operation, outcome, performance.now() - started);
      throw error;
    }
  };

  return {
    jasper(provider) {
      const cached = jasperClients.get(provider.id);
      if (cached !== undefined) return cached;
      const settings = provider.settings;
      const baseUrl = requireSetting(provider, 'baseUrl');
      const username = requireSetting(provider, 'username');
      const apiKeyRef = provider.credentials.apiKey;
      if (apiKeyRef === undefined) {
        throw new AppError(
          ErrorCode.CONFIG_INVALID,
          `Service provider ${provider.name} has no Control Center API key`,
        );
      }
      const account = `jasper:${provider.id}`;
      const policy = createJasperPolicy({ account });
      metrics?.watchBreaker(account, () => policy.breakerState);
      const client = createJasperClient({
        baseUrl,
        username,
        apiKey: options.secretBox.open(apiKeyRef),
        usernameTargetField:
          typeof settings.usernameTargetField === 'string'
            ? settings.usernameTargetField
            : undefined,
        account,
        timeoutMs: options.timeoutMs ?? 15_000,
        policy,
        limiter: limiterFor(
          account,
          positiveNumber(settings.rateLimitPerSecond) ?? JASPER_DEFAULT_LIMITS.ratePerSecond,
          positiveNumber(settings.maxConcurrent) ?? JASPER_DEFAULT_LIMITS.maxConcurrent,
        ),
      });
      const gateway: JasperGateway = {
        usernameTargetField: client.usernameTargetField,
        editDevice: (iccid, fields, callOptions) =>
          timed('jasper', 'editDevice', () => client.editDevice(iccid, fields, callOptions)),
        setUsername: (iccid, username, callOptions) =>
          timed('jasper', 'setUsername', () => client.setUsername(iccid, username, callOptions)),
        readUsername: (iccid, callOptions) =>
          timed('jasper', 'readUsername', () => client.readUsername(iccid, callOptions)),
        verifyUsernameEdit: async (iccid, username, since, callOptions) => {
          const verdict = await timed('jasper', 'verifyUsernameEdit', () =>
            client.verifyUsernameEdit(iccid, username, since, callOptions),
          );
          return verdict.outcome === 'failed'
            ? { outcome: 'failed', message: verdict.message }
            : { outcome: verdict.outcome };
        },
        normaliseStatus: (status) => client.normaliseStatus(status),
      };
      jasperClients.set(provider.id, gateway);
      return gateway;
    },
    revio(billing) {
      const cached = revioClients.get(billing.id);
      if (cached !== undefined) return cached;
      const gateway = buildRevioGateway(billing, {
        secretBox: options.secretBox,
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        limiterFor,
        timed,
      });
      revioClients.set(billing.id, gateway);
      return gateway;
    },
    thingspace(provider) {
      const cached = thingspaceClients.get(provider.id);
      if (cached !== undefined) return cached;
      const gateway = buildThingSpaceGateway(provider, {
        secretBox: options.secretBox,
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        limiterFor,
        timed,
      });
      thingspaceClients.set(provider.id, gateway);
      return gateway;
    },
    telegence(provider) {
      const cached = telegenceClients.get(provider.id);
      if (cached !== undefined) return cached;
      const gateway = buildTelegenceGateway(provider, {
        secretBox: options.secretBox,
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        limiterFor,
        timed,
      });
      telegenceClients.set(provider.id, gateway);
      return gateway;
    },
  };
}

function requireSetting(provider: EngineServiceProvider, name: string): string {
  const value = provider.settings[name];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new AppError(
      ErrorCode.CONFIG_INVALID,
      `Service provider ${provider.name} has no ${name} setting`,
    );
  }
  return value;
}

function positiveNumber(value: unknown): number | undefined {
  return typeof value === 'number' && value > 0 ? value : undefined;
}
