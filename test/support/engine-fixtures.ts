/**
 * Helpers for engine tests: a bulk change with N devices, a queue that records what the engine
 * sends (the engine's own port, kept in memory so tests can deliver messages when they choose,
 * twice, or out of order), and a scripted handler that records the "carrier" mutations it makes.
 */
import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { createBulkChangeRepository } from '../../src/adapters/db/repositories/bulk-change-repository.ts';
import { createDeviceRepository } from '../../src/adapters/db/repositories/device-repository.ts';
import type { Database } from '../../src/adapters/db/schema.ts';
import type { ChangeHandler, HandlerContext } from '../../src/app/engine/change-handler.ts';
import type { BulkChangeMessage } from '../../src/app/messages/bulk-change-message.ts';
import type { BulkChangeQueue, ProcessingContext } from '../../src/app/ports/bulk-change-queue.ts';
import type { DeviceResult } from '../../src/app/ports/engine-store.ts';
import type { Integration } from '../../src/domain/integrations.ts';
import { createTenantWithProvider, deviceRow } from './db-fixtures.ts';

/** A silent logger. */
export const silentLogger = pino({ level: 'silent' });

/** A bulk change of `count` devices on a new tenant/provider. */
export async function createBulkChangeFixture(
  db: Kysely<Database>,
  options: {
    count: number;
    integration?: Integration;
    writeEnabled?: boolean;
    changeType?: string;
  },
) {
  const { tenant, provider } = await createTenantWithProvider(db, options.integration ?? 'Jasper');
  if (options.writeEnabled === false) {
    await db
      .updateTable('service_providers')
      .set({ write_enabled: false })
      .where('id', '=', provider.id)
      .execute();
  }
  const base = Math.floor(Math.random() * 1e9);
  const deviceIds = await createDeviceRepository(db).insertMany(
    Array.from({ length: options.count }, (_, i) => deviceRow(tenant, provider, base + i)),
  );
  const devices = await db
    .selectFrom('devices')
    .selectAll()
    .where('id', 'in', deviceIds)
    .orderBy('id')
    .execute();
  const created = await createBulkChangeRepository(db).create({
    tenantId: tenant.id,
    serviceProviderId: provider.id,
    changeType: options.changeType ?? 'CarrierRatePlanChange',
    portalType: 0,
    request: { CarrierRatePlan: 'PLAN-B' },
    createdBy: 'test',
    deviceChanges: devices.map((d) => ({
      identifierKind: 'iccid' as const,
      identifier: d.iccid ?? '',
      iccid: d.iccid,
      deviceId: d.id,
    })),
  });
  return { tenant, provider, devices, bulkChangeId: created.bulkChange.id };
}

/** A queue recording sent messages. */
export function createRecordingQueue(): BulkChangeQueue & {
  sent: Array<{ message: BulkChangeMessage; delaySeconds: number }>;
  take(): BulkChangeMessage | undefined;
} {
  const sent: Array<{ message: BulkChangeMessage; delaySeconds: number }> = [];
  let taken = 0;
  return {
    sent,
    async send(message, options = {}) {
      sent.push({ message, delaySeconds: options.delaySeconds ?? 0 });
    },
    take() {
      const next = sent[taken];
      if (next !== undefined) taken += 1;
      return next?.message;
    },
  };
}

/** A processing context with a generous budget. */
export function context(overrides: Partial<ProcessingContext> = {}): ProcessingContext {
  return {
    messageId: `m-${Math.random().toString(36).slice(2)}`,
    deadline: Date.now() + 60_000,
    signal: new AbortController().signal,
    ...overrides,
  };
}

/** What the scripted handler does for a device (by ICCID). */
export type Script = (ctx: HandlerContext) => Promise<DeviceResult | 'default'>;

/**
 * A handler whose "carrier write" is a step recorded in `mutations` (one entry per real
 * execution), followed by a scripted outcome.
 */
export function createScriptedHandler(
  options: { script?: Script; delayMs?: number; writes?: boolean } = {},
) {
  const mutations: string[] = [];
  const handler: ChangeHandler = {
    changeType: 'CarrierRatePlanChange',
    integrations: ['Jasper', 'POD19'],
    writes: options.writes ?? true,
    description: 'Scripted change',
    async handle(ctx) {
      await ctx.step(
        'carrier.write',
        { idempotent: false, lookup: async () => undefined },
        async () => {
          if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
          mutations.push(ctx.change.identifier);
          return { ok: true };
        },
      );
      const scripted = options.script ? await options.script(ctx) : 'default';
      if (scripted !== 'default') return scripted;
      return {
        kind: 'succeeded',
        details: 'done',
        deviceUpdate:
          ctx.change.deviceId === null
            ? undefined
            : { deviceId: ctx.change.deviceId, changes: { carrier_rate_plan: 'PLAN-B' } },
      };
    },
  };
  return { handler, mutations };
}
