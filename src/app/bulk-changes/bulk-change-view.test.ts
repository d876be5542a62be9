import { describe, expect, it } from 'vitest';
import { type BulkChangeFacts, toBulkChangeView, zeroCounts } from './bulk-change-view.ts';

const facts = (over: Partial<BulkChangeFacts> = {}): BulkChangeFacts => ({
  id: 1,
  status: 'PROCESSING',
  changeType: 'EditUsernameCostCenter',
  serviceProviderId: 2,
  total: 10,
  createdBy: 'api',
  createdAt: new Date('2026-12-01T08:00:00Z'),
  startedAt: new Date('2026-12-01T08:00:00Z'),
  processedAt: null,
  errorText: null,
  request: {},
  ...over,
});

describe('bulk change view', () => {
  it('derives percent done, throughput (rejected rows excluded) and ETA', () => {
    const counts = { ...zeroCounts(), PROCESSED: 4, API_FAILED: 1, ERROR: 1, PENDING: 4 };
    const view = toBulkChangeView(facts(), counts, new Date('2026-12-01T08:00:10Z'));
    expect(view.progress).toEqual({
      done: 6,
      failed: 2,
      percentDone: 60,
      throughputPerSecond: 0.5,
      etaSeconds: 8,
    });
  });

  it('has no throughput or ETA before it started, and ETA 0 when finished', () => {
    const notStarted = toBulkChangeView(
      facts({ status: 'NEW', startedAt: null }),
      { ...zeroCounts(), NEW: 3 },
      new Date(),
    );
    expect(notStarted.progress).toMatchObject({
      done: 0,
      throughputPerSecond: null,
      etaSeconds: null,
    });
    const finished = toBulkChangeView(
      facts({ status: 'PROCESSED', processedAt: new Date('2026-12-01T08:00:04Z') }),
      { ...zeroCounts(), PROCESSED: 2, CANCELLED: 2 },
      new Date('2026-12-01T09:00:00Z'),
    );
    expect(finished.progress).toMatchObject({
      percentDone: 100,
      throughputPerSecond: 0.5,
      etaSeconds: 0,
    });
  });
});
