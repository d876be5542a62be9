/**
 * Builds the ThingSpace gateway of a service provider: the client (OAuth + session, resilience
 * policy, rate limiter) from the provider's settings and credentials, and the operations
 * handlers use, including the provisioning-history lookup that tells whether a provisioning
 * action whose outcome was lost (a worker died during the call) was applied.
 *
 * Service provider settings: `baseUrl`, `accountName`, `clientId`, `username` (required);
 * `usernameCustomField` (`CustomField1`..`CustomField5`, default `CustomField1`: where
 * EditUsernameCostCenter writes the username), `changeIdentifierServiceType` (default `4G`),
 * `oauthUrl`, `sessionUrl`, `rateLimitPerSecond` (default 10), `maxConcurrent` (default 4).
 * Credentials: `clientSecret`, `password`.
 */

import type { RateLimiter } from '../adapters/integrations/shared/rate-limiter.ts';
import { createResiliencePolicy } from '../adapters/integrations/shared/resilience.ts';
import {
  createThingSpaceClient,
  type ThingSpaceClientOptions,
} from '../adapters/integrations/thingspace/thingspace-client.ts';
import { PROVISIONING_EVENT_TYPES } from '../adapters/integrations/thingspace/thingspace-lookup.ts';
import {
  eventAttribute,
  summarizeDevice,
} from '../adapters/integrations/thingspace/thingspace-mapper.ts';
import type { ThingSpaceGateway } from '../app/ports/carrier-gateways.ts';
import type { EngineServiceProvider } from '../app/ports/engine-store.ts';
import { AppError, ErrorCode } from '../domain/errors.ts';
import type { SecretBox } from '../domain/secret-ref.ts';

/** Default limits of one ThingSpace account (no public figure; contract-specific). */
export const THINGSPACE_DEFAULT_LIMITS = Object.freeze({ ratePerSecond: 10, maxConcurrent: 4 });

/** Custom field that holds the username unless the provider's settings say otherwise. */
export const DEFAULT_USERNAME_CUSTOM_FIELD = 'CustomField1';

/** Clock skew allowed when reading the provisioning history. */
const HISTORY_SKEW_MS = 60_000;

/**
 * The client options a service provider's settings and credentials give (account, auth,
 * username custom field, identifier-change service type), checked.
 *
 * @example
 * const client = createThingSpaceClient(thingSpaceClientSettings(provider, secretBox));
 */
export function thingSpaceClientSettings(
  provider: EngineServiceProvider,
  secretBox: SecretBox,
): ThingSpaceClientOptions & { usernameCustomField: string } {
  const settings = provider.settings;
  const text = (name: string, required: boolean): string | undefined => {
    const value = settings[name];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
    if (!required) return undefined;
    throw new AppError(
      ErrorCode.CONFIG_INVALID,
      `Service provider ${provider.name} has no ${name} setting`,
    );
  };
  const secret = (name: string): string => {
    const ref = provider.credentials[name];
    if (ref === undefined) {
      throw new AppError(
        ErrorCode.CONFIG_INVALID,
        `Service provider ${provider.name} has no ThingSpace ${name}`,
      );
    }
    return secretBox.open(ref);
  };
  const usernameCustomField = text('usernameCustomField', false) ?? DEFAULT_USERNAME_CUSTOM_FIELD;
  if (!/^CustomField[1-5]$/.test(usernameCustomField)) {
    throw new AppError(
      ErrorCode.CONFIG_INVALID,
      `Service provider ${provider.name}: usernameCustomField must be CustomField1..CustomField5 (got ${usernameCustomField})`,
    );
  }
  const oauthUrl = text('oauthUrl', false);
  const sessionUrl = text('sessionUrl', false);
  const serviceType = text('changeIdentifierServiceType', false);
  return {
    baseUrl: text('baseUrl', true) as string,
    accountName: text('accountName', true) as string,
    clientId: text('clientId', true) as string,
    clientSecret: secret('clientSecret'),
    username: text('username', true) as string,
    password: secret('password'),
    ...(oauthUrl === undefined ? {} : { oauthUrl }),
    ...(sessionUrl === undefined ? {} : { sessionUrl }),
    ...(serviceType === undefined ? {} : { changeIdentifierServiceType: serviceType }),
    usernameCustomField,
  };
}

/**
 * Creates the gateway of one ThingSpace service provider.
 *
 * @example
 * const ts = buildThingSpaceGateway(provider, { secretBox, limiterFor, timed });
 * const { requestId } = await ts.suspend({ iccid });
 */
export function buildThingSpaceGateway(
  provider: EngineServiceProvider,
  deps: {
    secretBox: SecretBox;
    timeoutMs?: number;
    limiterFor: (key: string, ratePerSecond: number, maxConcurrent: number) => RateLimiter;
    timed: <T>(api: string, operation: string, call: () => Promise<T>) => Promise<T>;
  },
): ThingSpaceGateway {
  const settings = provider.settings;
  const base = thingSpaceClientSettings(provider, deps.secretBox);
  const account = `thingspace:${provider.id}`;
  const positive = (v: unknown) => (typeof v === 'number' && v > 0 ? v : undefined);
  const client = createThingSpaceClient({
    ...base,
    timeoutMs: deps.timeoutMs ?? 15_000,
    policy: createResiliencePolicy({ api: 'thingspace', account }),
    limiter: deps.limiterFor(
      account,
      positive(settings.rateLimitPerSecond) ?? THINGSPACE_DEFAULT_LIMITS.ratePerSecond,
      positive(settings.maxConcurrent) ?? THINGSPACE_DEFAULT_LIMITS.maxConcurrent,
    ),
  });
  const { accountName, usernameCustomField } = base;
  const t = deps.timed;
  return {
    accountName,
    usernameCustomField,
    addDevice: (input, o) => t('thingspace', 'addDevice', () => client.addDevice(input, o)),
    activate: (input, o) => t('thingspace', 'activate', () => client.activate(input, o)),
    suspend: (input, o) => t('thingspace', 'suspend', () => client.suspend(input, o)),
    restore: (input, o) => t('thingspace', 'restore', () => client.restore(input, o)),
    deactivate: (input, o) => t('thingspace', 'deactivate', () => client.deactivate(input, o)),
    changeServicePlan: (input, o) =>
      t('thingspace', 'changeServicePlan', () => client.changeServicePlan(input, o)),
    changeIdentifier: (input, o) =>
      t('thingspace', 'changeIdentifier', () => client.changeIdentifier(input, o)),
    setUsername: (input, o) =>
      t('thingspace', 'updateUsername', () => client.updateUsername(input, o)),
    requestStatus: async (requestId, o) =>
      (await t('thingspace', 'getRequestStatus', () => client.getRequestStatus(requestId, o)))
        .status,
    async getDevice(iccid, o) {
      const device = await t('thingspace', 'getDevice', () => client.getDevice(iccid, o));
      if (device === undefined) return undefined;
      const s = summarizeDevice(device);
      return {
        iccid: s.iccid,
        imei: s.imei,
        msisdn: s.msisdn,
        state: s.state,
        servicePlan: s.servicePlan,
        ipAddress: s.ipAddress,
        customFields: s.customFields,
      };
    },
    async findProvisioning(action, device, since, o) {
      const earliest = new Date(since.getTime() - HISTORY_SKEW_MS);
      const events = await t('thingspace', 'getProvisioningHistory', () =>
        client.getProvisioningHistory(
          {
            deviceId: device,
            earliest,
            latest: new Date(Math.max(Date.now(), since.getTime()) + 86_400_000),
          },
          o,
        ),
      );
      const matching = events.filter(
        (e) =>
          e.eventType === PROVISIONING_EVENT_TYPES[action] &&
          Date.parse(e.occurredAt) >= earliest.getTime(),
      );
      if (matching.length === 0) return undefined;
      const withId = matching
        .map((e) => eventAttribute(e, 'RequestId'))
        .filter((id): id is string => id !== undefined);
      const requestId = withId[0]; // newest first
      return requestId === undefined ? 'applied-without-id' : { requestId, recovered: true };
    },
  };
}
