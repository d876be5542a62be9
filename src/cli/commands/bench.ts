/**
 * `bulk-change bench` (also `npm run bench`): runs the benchmark scenarios of design.md §6
 * against the simulators on this machine and prints a table, or with `--json` one JSON object
 * per scenario per line. PostgreSQL scenarios create (and drop) a fresh database on the server
 * of `--postgres-url` (default: `DATABASE_URL`, else postgres://postgres@127.0.0.1:5432/postgres).
 * See `src/bench/` and BENCHMARKS.md.
 */

import { type BenchResult, runScenario } from '../../bench/bench-run.ts';
import {
  BENCH_SCENARIO_NAMES,
  type BenchScenarioName,
  resolveScenario,
} from '../../bench/bench-scenarios.ts';
import { processEnv, readEnv } from '../../config/env.ts';
import { AppError, ErrorCode } from '../../domain/errors.ts';

/** Options of the bench command. */
export interface BenchCommandOptions {
  scenario?: string[];
  devices?: number;
  concurrency?: number;
  latencyMs?: number;
  quick?: boolean;
  json?: boolean;
  postgresUrl?: string;
  /** Exit non-zero when a target is missed. */
  strict?: boolean;
}

/** Default PostgreSQL server of the benchmarks. */
export const DEFAULT_BENCH_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** Runs the selected scenarios in order; returns the results. */
export async function runBenchCommand(options: BenchCommandOptions): Promise<BenchResult[]> {
  const env = processEnv();
  const names = selectScenarios(options.scenario);
  const postgresUrl =
    options.postgresUrl ?? readEnv(env, 'DATABASE_URL') ?? DEFAULT_BENCH_POSTGRES_URL;
  const results: BenchResult[] = [];
  const began = performance.now();
  for (const name of names) {
    const scenario = resolveScenario(name, {
      ...(options.devices === undefined ? {} : { devices: options.devices }),
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
      ...(options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs }),
      quick: options.quick === true,
    });
    const result = await runScenario(scenario, {
      postgresUrl,
      env: { PATH: env.PATH, HOME: env.HOME },
      progress: (line) => process.stderr.write(`${line}\n`),
    });
    results.push(result);
    if (options.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else process.stderr.write(`${name}: ${result.measuredPerSec}/s in ${result.elapsedMs} ms\n`);
  }
  if (!options.json) process.stdout.write(`${formatTable(results)}\n`);
  process.stderr.write(`bench finished in ${Math.round((performance.now() - began) / 1000)} s\n`);
  if (options.strict && results.some((r) => !r.met)) process.exitCode = 1;
  return results;
}

function selectScenarios(requested: string[] | undefined): BenchScenarioName[] {
  if (requested === undefined || requested.length === 0) return [...BENCH_SCENARIO_NAMES];
  const names = requested.flatMap((r) => r.split(',')).map((r) => r.trim());
  for (const name of names) {
    if (!(BENCH_SCENARIO_NAMES as readonly string[]).includes(name)) {
      throw new AppError(
        ErrorCode.CONFIG_INVALID,
        `--scenario: unknown scenario "${name}"; one of ${BENCH_SCENARIO_NAMES.join(', ')}`,
      );
    }
  }
  return names as BenchScenarioName[];
}

/**
 * The results as a plain-text table.
 *
 * @example
 * console.log(formatTable(results));
 */
export function formatTable(results: readonly BenchResult[]): string {
  const header = [
    'scenario',
    'db',
    'devices',
    'L ms',
    'k',
    'C',
    'workers',
    'limit/s',
    'ceiling/s',
    'measured/s',
    'ratio',
    'p50 ms',
    'p95 ms',
    'RSS MB',
    'SQL/chg',
    'target',
    'met',
  ];
  const rows = results.map((r) => [
    r.scenario,
    r.database,
    String(r.devices),
    String(r.carrierLatencyMs),
    String(r.callsPerChange),
    String(r.concurrency),
    String(r.workers),
    r.rateLimitPerSec === null ? '-' : String(r.rateLimitPerSec),
    r.ceilingPerSec === null ? '-' : String(r.ceilingPerSec),
    String(r.measuredPerSec),
    r.ratio === null ? '-' : r.ratio.toFixed(2),
    String(r.p50Ms),
    String(r.p95Ms),
    String(r.peakRssMb),
    String(r.queriesPerChange),
    r.target,
    r.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)),
  );
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  const notes = results.flatMap((r) => r.notes.map((n) => `  ${r.scenario}: ${n}`));
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), ...notes].join(
    '\n',
  );
}
