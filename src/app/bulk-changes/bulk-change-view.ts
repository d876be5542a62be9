/**
 * What the API shows of a bulk change: its row, the device change counts per status, and
 * progress derived from them (percent done, throughput since it started, ETA).
 */
import type { BulkChangeStatus } from '../../domain/bulk-change/bulk-change-status.ts';
import {
  DeviceChangeStatus,
  isTerminalDeviceChangeStatus,
} from '../../domain/device-change/device-change-status.ts';

/** Device change counts, one entry per status (zeros included). */
export type DeviceChangeCounts = Record<DeviceChangeStatus, number>;

/** Counts with every status at zero. */
export function zeroCounts(): DeviceChangeCounts {
  return Object.fromEntries(
    Object.values(DeviceChangeStatus).map((s) => [s, 0]),
  ) as DeviceChangeCounts;
}

/** The stored facts of a bulk change the view is built from. */
export interface BulkChangeFacts {
  id: number;
  status: BulkChangeStatus;
  changeType: string;
  serviceProviderId: number;
  total: number;
  createdBy: string;
  createdAt: Date;
  startedAt: Date | null;
  processedAt: Date | null;
  errorText: string | null;
  request: Record<string, unknown>;
}

/** Progress of a bulk change. */
export interface BulkChangeProgress {
  /** Device changes in a terminal status (PROCESSED, API_FAILED, ERROR, CANCELLED). */
  done: number;
  /** Device changes that failed (API_FAILED or ERROR). */
  failed: number;
  /** 0–100, one decimal. */
  percentDone: number;
  /** Device changes worked (PROCESSED or API_FAILED) per second since it started (null before). */
  throughputPerSecond: number | null;
  /** Seconds until every device change is done at the current throughput (null: unknown). */
  etaSeconds: number | null;
}

/** The API view of a bulk change. */
export interface BulkChangeView {
  id: number;
  status: BulkChangeStatus;
  changeType: string;
  serviceProviderId: number;
  total: number;
  counts: DeviceChangeCounts;
  progress: BulkChangeProgress;
  request: Record<string, unknown>;
  createdBy: string;
  createdAt: string;
  startedAt: string | null;
  processedAt: string | null;
  errorText: string | null;
}

/**
 * Builds the view of a bulk change at `now`.
 *
 * @example
 * toBulkChangeView(facts, counts, new Date()).progress.percentDone; // 42.5
 */
export function toBulkChangeView(
  facts: BulkChangeFacts,
  counts: DeviceChangeCounts,
  now: Date,
): BulkChangeView {
  const all = { ...zeroCounts(), ...counts };
  let done = 0;
  for (const [status, n] of Object.entries(all)) {
    if (isTerminalDeviceChangeStatus(status as DeviceChangeStatus)) done += n;
  }
  const total = Object.values(all).reduce((a, b) => a + b, 0);
  // Throughput counts the device changes actually worked (not rejected or cancelled ones).
  const worked = all.PROCESSED + all.API_FAILED;
  const end = facts.processedAt ?? now;
  const seconds = facts.startedAt === null ? 0 : (end.getTime() - facts.startedAt.getTime()) / 1000;
  const throughput = facts.startedAt === null || seconds <= 0 ? null : worked / seconds;
  const remaining = total - done;
  const eta =
    remaining === 0 ? 0 : throughput === null || throughput === 0 ? null : remaining / throughput;
  return {
    id: facts.id,
    status: facts.status,
    changeType: facts.changeType,
    serviceProviderId: facts.serviceProviderId,
    total: facts.total,
    counts: all,
    progress: {
      done,
      failed: all.API_FAILED + all.ERROR,
      percentDone: total === 0 ? 100 : Math.round((done / total) * 1000) / 10,
      throughputPerSecond: throughput === null ? null : Math.round(throughput * 100) / 100,
      etaSeconds: eta === null ? null : Math.ceil(eta),
    },
    request: facts.request,
    createdBy: facts.createdBy,
    createdAt: facts.createdAt.toISOString(),
    startedAt: facts.startedAt?.toISOString() ?? null,
    processedAt: facts.processedAt?.toISOString() ?? null,
    errorText: facts.errorText,
  };
}
