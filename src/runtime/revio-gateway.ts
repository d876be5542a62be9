/**
 * Builds the Rev.io gateway of a billing integration: the client with its resilience policy
 * and rate limiter, plus the pure field-mapping rules (`buildCostCenterPatch`), and the
 * service-line / service-product creates with the look-ups a step uses after a crash.
 */
import { createRevioClient } from '../adapters/integrations/revio/revio-client.ts';
import { buildCostCenterPatch } from '../adapters/integrations/revio/revio-fields.ts';
import type { RateLimiter } from '../adapters/integrations/shared/rate-limiter.ts';
import { createResiliencePolicy } from '../adapters/integrations/shared/resilience.ts';
import type { RevioGateway } from '../app/ports/carrier-gateways.ts';
import type { EngineBillingIntegration } from '../app/ports/engine-store.ts';
import { AppError, ErrorCode } from '../domain/errors.ts';
import type { SecretBox } from '../domain/secret-ref.ts';

/** Rev.io allows 500 calls a minute per tenant; stay under it. */
export const REVIO_DEFAULT_LIMITS = Object.freeze({ ratePerSecond: 8, maxConcurrent: 4 });

/**
 * The limits of a billing integration's Rev.io client: its `rateLimitPerSecond` and
 * `maxConcurrent` settings (migration 0009) when they are positive numbers, else
 * {@link REVIO_DEFAULT_LIMITS}.
 *
 * @example
 * revioLimits({ settings: { rateLimitPerSecond: 100 } }); // { ratePerSecond: 100, maxConcurrent: 4 }
 */
export function revioLimits(billing: Pick<EngineBillingIntegration, 'settings'>): {
  ratePerSecond: number;
  maxConcurrent: number;
} {
  const positive = (value: unknown): number | undefined =>
    typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
  return {
    ratePerSecond:
      positive(billing.settings?.rateLimitPerSecond) ?? REVIO_DEFAULT_LIMITS.ratePerSecond,
    maxConcurrent: positive(billing.settings?.maxConcurrent) ?? REVIO_DEFAULT_LIMITS.maxConcurrent,
  };
}

/**
 * Creates the gateway of one billing integration.
 *
 * @example
 * const revio = buildRevioGateway(billing, { secretBox, limiterFor, timed });
 * await revio.patchService(700001, revio.planPatch(await revio.getService(700001), values).ops);
 */
export function buildRevioGateway(
  billing: EngineBillingIntegration,
  deps: {
    secretBox: SecretBox;
    timeoutMs?: number;
    limiterFor: (key: string, ratePerSecond: number, maxConcurrent: number) => RateLimiter;
    timed: <T>(api: string, operation: string, call: () => Promise<T>) => Promise<T>;
  },
): RevioGateway {
  const secret = (name: string): string => {
    const ref = billing.credentials[name];
    if (ref === undefined) {
      throw new AppError(
        ErrorCode.CONFIG_INVALID,
        `Billing integration ${billing.name} has no Rev.io ${name}`,
      );
    }
    return deps.secretBox.open(ref);
  };
  const account = `revio:${billing.clientCode}`;
  const limits = revioLimits(billing);
  const client = createRevioClient({
    baseUrl: billing.baseUrl,
    credentials: {
      login: billing.login,
      clientCode: billing.clientCode,
      password: secret('password'),
      subscriptionKey: secret('subscriptionKey'),
    },
    timeoutMs: deps.timeoutMs ?? 30_000,
    policy: createResiliencePolicy({ api: 'revio', account }),
    limiter: deps.limiterFor(account, limits.ratePerSecond, limits.maxConcurrent),
  });
  return {
    getService: (serviceId, options) =>
      deps.timed('revio', 'getService', () => client.getService(serviceId, options)),
    planPatch: (service, values) => {
      const patch = buildCostCenterPatch(service, values);
      return { ops: patch.ops, mapped: patch.mapped, unmapped: patch.unmapped };
    },
    patchService: (serviceId, ops, options) =>
      deps.timed('revio', 'patchService', () => client.patchService(serviceId, ops, options)),
    createService: (input, options) =>
      deps.timed('revio', 'createService', () => client.createService(input, options)),
    findService: async (input, options) => {
      const page = await deps.timed('revio', 'listServices', () =>
        client.listServices({ customerId: input.CustomerId, number: input.Number }, options),
      );
      const number2 = input.Number2 === undefined || input.Number2 === '' ? null : input.Number2;
      const match = page.records
        .filter(
          (s) =>
            s.customerId === input.CustomerId &&
            s.number === input.Number &&
            (number2 === null || s.number2 === number2) &&
            s.serviceTypeId === input.ServiceTypeId &&
            s.disconnectedDate === null,
        )
        .sort((a, b) => b.serviceId - a.serviceId)[0];
      return match === undefined ? undefined : { id: match.serviceId, recovered: true };
    },
    createServiceProduct: (input, options) =>
      deps.timed('revio', 'createServiceProduct', () =>
        client.createServiceProduct(input, options),
      ),
    findServiceProduct: async (input, options) => {
      const page = await deps.timed('revio', 'listServiceProducts', () =>
        client.listServiceProducts({ serviceId: input.ServiceId }, options),
      );
      const match = page.records
        .filter(
          (p) =>
            p.serviceId === input.ServiceId &&
            p.productId === input.ProductId &&
            p.customerId === input.CustomerId &&
            p.rate === input.Rate,
        )
        .sort((a, b) => b.serviceProductId - a.serviceProductId)[0];
      return match === undefined ? undefined : { id: match.serviceProductId, recovered: true };
    },
  };
}
