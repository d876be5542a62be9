import { describe, expect, it } from 'vitest';
import { createEngineStore } from '../../src/adapters/db/engine-store.ts';
import { createHandlerRegistry } from '../../src/app/engine/change-handler.ts';
import { createMessageProcessor } from '../../src/app/engine/process-message.ts';
import {
  context,
  createBulkChangeFixture,
  createRecordingQueue,
  silentLogger,
} from '../support/engine-fixtures.ts';
import { useTestDatabase } from '../support/test-database.ts';

/**
 * A carrier callback that arrives while its device change is still PROCESSING (the carrier
 * was faster than our write of the park) is not lost: parking finds it and the device change
 * is due at once, instead of waiting for its fallback re-check.
 */
describe('a callback that arrives before the device change parks', () => {
  const testDb = useTestDatabase();

  it('parking picks up the stored callback and the change resumes at once', async () => {
    const { db } = testDb();
    const store = createEngineStore(db);
    const queue = createRecordingQueue();
    const seen: string[] = [];
    const process = createMessageProcessor({
      store,
      queue,
      logger: silentLogger,
      handlers: createHandlerRegistry([
        {
          changeType: 'CarrierRatePlanChange',
          integrations: ['ThingSpace'],
          writes: true,
          description: 'Early callback',
          async handle(ctx) {
            const requestId = `early-${ctx.change.id}`;
            const state = ctx.change.parkState as { callback?: { status: string } } | null;
            if (state?.callback !== undefined) {
              seen.push(state.callback.status);
              return { kind: 'succeeded', details: `resumed: ${state.callback.status}` };
            }
            // The carrier completes and calls back before this attempt records its park.
            const woken = await store.recordCarrierCallback('ThingSpace', requestId, {
              requestId,
              status: 'Success',
            });
            expect(woken).toEqual([]); // still PROCESSING: nothing to wake yet
            return {
              kind: 'parked',
              details: 'waiting',
              notBefore: new Date(Date.now() + 3_600_000),
              parkState: { requestId },
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
    // Due at once: the same message's claim loop takes it again and resumes it.
    const done = await db
      .selectFrom('device_changes')
      .selectAll()
      .where('bulk_change_id', '=', bulkChangeId)
      .executeTakeFirstOrThrow();
    expect(done.status).toBe('PROCESSED');
    expect(done.status_details).toBe('resumed: Success');
    expect(done.attempt).toBe(2);
    expect(queue.sent).toHaveLength(0); // no fallback re-check was scheduled
    expect(seen).toEqual(['Success']);
  });

  it('a callback of another integration with the same request id wakes nothing', async () => {
    const { db } = testDb();
    const store = createEngineStore(db);
    const queue = createRecordingQueue();
    const process = createMessageProcessor({
      store,
      queue,
      logger: silentLogger,
      handlers: createHandlerRegistry([
        {
          changeType: 'CarrierRatePlanChange',
          integrations: ['ThingSpace'],
          writes: true,
          description: 'Other integration',
          async handle(ctx) {
            const requestId = `shared-${ctx.change.id}`;
            await store.recordCarrierCallback('Telegence', requestId, { requestId });
            return {
              kind: 'parked',
              details: 'waiting',
              notBefore: new Date(Date.now() + 3_600_000),
              parkState: { requestId },
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
    expect(parked.park_state).toEqual({ requestId: `shared-${parked.id}` });
    expect(queue.sent.at(-1)?.delaySeconds).toBeGreaterThan(3500);
  });
});
