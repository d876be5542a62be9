/**
 * How the CLI shows a bulk change: a one-line progress bar (done/total, failed, rate, ETA),
 * redrawn in place on a terminal and printed as plain lines (only when something changed)
 * otherwise; and the final summary with the failed devices and their reasons.
 */

/** The bulk change as the API returns it (the fields the CLI uses). */
export interface BulkChangeBody {
  id: number;
  status: string;
  changeType: string;
  serviceProviderId: number;
  total: number;
  counts: Record<string, number>;
  progress: {
    done: number;
    failed: number;
    percentDone: number;
    throughputPerSecond: number | null;
    etaSeconds: number | null;
  };
  errorText?: string | null;
}

/** True once the bulk change will not change any more by itself. */
export function isFinished(body: Pick<BulkChangeBody, 'status'>): boolean {
  return body.status === 'PROCESSED' || body.status === 'ERROR';
}

function duration(seconds: number | null): string {
  if (seconds === null) return '?';
  if (seconds < 60) return `${seconds}s`;
  const m = Math.floor(seconds / 60);
  return m < 60
    ? `${m}m${String(seconds % 60).padStart(2, '0')}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/**
 * One progress line.
 *
 * @example
 * progressLine(body, 20); // "[##########··········] 250/500 (50.0%) · failed 2 · 41.7/s · ETA 6s · PROCESSING"
 */
export function progressLine(body: BulkChangeBody, width = 24): string {
  const total = Math.max(body.total, 0);
  const filled = total === 0 ? width : Math.round((body.progress.done / total) * width);
  const bar = `[${'#'.repeat(filled)}${'·'.repeat(Math.max(0, width - filled))}]`;
  const rate =
    body.progress.throughputPerSecond === null
      ? '–/s'
      : `${body.progress.throughputPerSecond.toFixed(1)}/s`;
  return `${bar} ${body.progress.done}/${total} (${body.progress.percentDone.toFixed(1)}%) · failed ${body.progress.failed} · ${rate} · ETA ${isFinished(body) ? '0s' : duration(body.progress.etaSeconds)} · ${body.status}`;
}

/** The counts that are not zero, as `PROCESSED 480, API_FAILED 2`. */
export function countsLine(counts: Record<string, number>): string {
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${s} ${n}`);
  return parts.length === 0 ? 'no device changes' : parts.join(', ');
}

/** Draws progress on a stream: in place on a TTY, plain lines otherwise. */
export interface ProgressReporter {
  update(body: BulkChangeBody): void;
  /** Ends the in-place line. */
  done(): void;
}

/** Creates a reporter on `stream`. */
export function createProgressReporter(
  stream: NodeJS.WriteStream | NodeJS.WritableStream,
): ProgressReporter {
  const tty = (stream as NodeJS.WriteStream).isTTY === true;
  let last = '';
  let drawn = false;
  return {
    update(body) {
      const line = progressLine(body);
      if (tty) {
        stream.write(`\r\x1b[2K${line}`);
        drawn = true;
      } else if (line !== last) {
        stream.write(`${line}\n`);
      }
      last = line;
    },
    done() {
      if (tty && drawn) stream.write('\n');
      drawn = false;
    },
  };
}
