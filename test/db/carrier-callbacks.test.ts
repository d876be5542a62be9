import { describe, expect, it } from 'vitest';
import { createEngineStore } from '../../src/adapters/db/engine-store.ts';
import { createLogger } from '../../src/adapters/logging/create-logger.ts';
import { buildServer } from '../../src/api/build-server.ts';
import { createServiceMetrics } from '../../src/api/metrics.ts';
import { createCarrierCallbackReceiver } from '../../src/app/callbacks/receive-carrier-callback.ts';
import { createHandlerRegistry } from '../../src/app/engine/change-handler.ts';
import { createMessageProcessor } from '../../src/app/engine/process-message.ts';
import { createHealthCheck } from '../../src/app/health.ts';
import { createThingSpaceCallbackEndpoint } from '../../src/runtime/thingspace-callback-endpoint.ts';
import {
  context,
  createBulkChangeFixture,
  createRecordingQueue,
  silentLogger,
} from '../support/engine-fixtures.ts';
import { useTestDatabase } from '../support/test-database.ts';

/**
 * An asynchronous carrier operation: the device change parks on the carrier request id and is
 * resumed by the carrier's callback through `POST /callbacks/thingspace` — no blocking sleep.
 */
describe('parking and resuming from a carrier callback', () => {
  const testDb = useTestDatabase();

  it('parks, resumes once from a checked callback and finishes', async () => {
    const { db } = testDb();
    const store = createEngineStore(db);
    const queue = createRecordingQueue();
    const handled: string[] = [];
    const process = createMessageProcessor({
      store,
      queue,
      logger: silentLogger,
      handlers: createHandlerRegistry([
        {
          changeType: 'CarrierRatePlanChange',
          integrations: ['ThingSpace'],
          writes: true,
          description: 'Change ThingSpace service plan',
          async handle(ctx) {
            const state = ctx.change.parkState as {
              requestId: string;
              callback?: { status: string };
            } | null;
            handled.push(state?.callback === undefined ? 'start' : 'resume');
            if (state?.callback !== undefined) {
              return {
                kind: 'succeeded',
                details: `ThingSpace request ${state.requestId}: ${state.callback.status}`,
              };
            }
            return {
              kind: 'parked',
              details: 'Waiting for ThingSpace to complete the request',
              notBefore: new Date(Date.now() + 3_600_000),
              parkState: { requestId: `req-${ctx.change.id}` },
            };
          },
        },
      ]),
    });
    const { bulkChangeId } = await createBulkChangeFixture(db, {
      count: 1,
      integration: 'ThingSpace',
    });
    await process({ bulkChangeId, retryNumber: 0 }, context());
    const parked = await db
      .selectFrom('device_changes')
      .selectAll()
      .where('bulk_change_id', '=', bulkChangeId)
      .executeTakeFirstOrThrow();
    expect(parked.status).toBe('PENDING');
    expect(queue.sent).toHaveLength(1);
    expect(queue.sent[0]?.delaySeconds).toBeGreaterThan(3500); // the fallback re-check, not a sleep
    queue.sent.length = 0;

    const receiver = createCarrierCallbackReceiver({ store, queue, logger: silentLogger });
    const app = buildServer({
      logger: createLogger({ level: 'silent' }),
      health: createHealthCheck({ probes: [], version: 't', mode: 'local' }),
      metrics: createServiceMetrics({ version: 't', mode: 'local' }),
      callbacks: {
        thingspace: createThingSpaceCallbackEndpoint({
          receiver,
          credentials: { username: 'cb-user', password: 'cb-pass' },
        }),
      },
    });
    const requestId = `req-${parked.id}`;
    const body = {
      username: 'cb-user',
      password: 'cb-pass',
      requestId,
      status: 'Success',
      deviceIds: [{ kind: 'iccid', id: parked.iccid }],
    };
    const wrong = await app.inject({
      method: 'POST',
      url: '/callbacks/thingspace',
      payload: { ...body, password: 'nope' },
    });
    expect(wrong.statusCode).toBe(401);
    const malformed = await app.inject({
      method: 'POST',
      url: '/callbacks/thingspace',
      payload: { requestId },
    });
    expect(malformed.statusCode).toBe(400);
    expect(queue.sent).toHaveLength(0);

    const ok = await app.inject({ method: 'POST', url: '/callbacks/thingspace', payload: body });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ received: true, requestId, resumed: 1 });
    expect(queue.sent.map((s) => [s.message.bulkChangeId, s.delaySeconds])).toEqual([
      [bulkChangeId, 0],
    ]);

    await process(queue.take() as NonNullable<ReturnType<typeof queue.take>>, context());
    const done = await db
      .selectFrom('device_changes')
      .selectAll()
      .where('bulk_change_id', '=', bulkChangeId)
      .executeTakeFirstOrThrow();
    expect(done.status).toBe('PROCESSED');
    expect(done.status_details).toBe(`ThingSpace request ${requestId}: Success`);
    expect(handled).toEqual(['start', 'resume']);

    const duplicate = await app.inject({
      method: 'POST',
      url: '/callbacks/thingspace',
      payload: body,
    });
    expect(duplicate.json()).toMatchObject({ resumed: 0 });
    const stored = await db
      .selectFrom('carrier_callbacks')
      .selectAll()
      .where('request_id', '=', requestId)
      .execute();
    expect(stored).toHaveLength(2); // the two accepted deliveries; refused ones are not stored
    await app.close();
  });
});
