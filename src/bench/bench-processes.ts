/**
 * Worker processes of benchmark and reliability runs: spawns `bench-worker.ts` on the running
 * Node (type stripping) with its JSON settings and collects the events it prints.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchWorkerConfig, BenchWorkerEvent } from './bench-worker.ts';

const WORKER_FILE = fileURLToPath(new URL('./bench-worker.ts', import.meta.url));

/** A worker child process and what it said. */
export interface BenchWorkerHandle {
  readonly name: string;
  readonly child: ChildProcess;
  readonly events: BenchWorkerEvent[];
  stderr(): string;
  /** Resolves on the `ready` event; rejects if the process ends first. */
  readonly ready: Promise<void>;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Set once the process ended. */
  exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
}

/**
 * Spawns one worker process.
 *
 * @example
 * const w = spawnBenchWorker({ name: 'w1', databaseUrl, secretsKey, settings });
 * await w.ready;
 */
export function spawnBenchWorker(
  config: BenchWorkerConfig,
  env: Readonly<Record<string, string | undefined>> = {},
  nodeFlags: readonly string[] = [],
): BenchWorkerHandle {
  const child = spawn(process.execPath, [...nodeFlags, WORKER_FILE], {
    env: {
      PATH: env.PATH ?? '',
      HOME: env.HOME ?? '/tmp',
      BENCH_WORKER: JSON.stringify(config),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: BenchWorkerEvent[] = [];
  let partial = '';
  let err = '';
  let onReady: () => void = () => {};
  let onEarlyExit: (error: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    onEarlyExit = reject;
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    partial += chunk.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      const event = JSON.parse(line) as BenchWorkerEvent;
      events.push(event);
      if (event.event === 'ready') onReady();
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    // Keep the tail only: a long run must not grow this without bound.
    err = (err + chunk.toString()).slice(-20_000);
  });
  const handle: BenchWorkerHandle = {
    name: config.name,
    child,
    events,
    stderr: () => err,
    ready,
    exit: new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        handle.exitInfo = { code, signal };
        onEarlyExit(
          new Error(`worker ${config.name} ended before ready (${code ?? signal}):\n${err}`),
        );
        resolve({ code, signal });
      });
    }),
    exitInfo: undefined,
  };
  ready.catch(() => {});
  return handle;
}

/** Samples of a set of workers. */
export function samplesOf(
  workers: readonly BenchWorkerHandle[],
): Extract<BenchWorkerEvent, { event: 'sample' }>[] {
  return workers.flatMap((w) =>
    w.events.filter(
      (e): e is Extract<BenchWorkerEvent, { event: 'sample' }> => e.event === 'sample',
    ),
  );
}

/** Stops workers still running: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopBenchWorkers(
  workers: readonly BenchWorkerHandle[],
  graceMs = 10_000,
): Promise<void> {
  await Promise.all(
    workers
      .filter((w) => w.exitInfo === undefined)
      .map(async (w) => {
        w.child.kill('SIGTERM');
        const timer = setTimeout(() => w.child.kill('SIGKILL'), graceMs);
        await w.exit;
        clearTimeout(timer);
      }),
  );
}
