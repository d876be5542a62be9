import { describe, expect, it } from 'vitest';
import type { BenchResult } from '../../bench/bench-run.ts';
import { buildProgram } from '../main.ts';
import { formatTable, runBenchCommand } from './bench.ts';

describe('bulk-change bench', () => {
  it('is a command with the issue’s flags', () => {
    const bench = buildProgram().commands.find((c) => c.name() === 'bench');
    const help = (bench?.helpInformation() ?? '').replace(/\s+/g, ' ');
    for (const flag of [
      '--scenario',
      '--devices',
      '--concurrency',
      '--latency-ms',
      '--quick',
      '--json',
    ]) {
      expect(help).toContain(flag);
    }
  });

  it('refuses an unknown scenario before running anything, naming the valid ones', async () => {
    await expect(runBenchCommand({ scenario: ['pod19-username,nope'] })).rejects.toThrow(
      /unknown scenario "nope"; one of pod19-username, original-design/,
    );
  });

  it('prints one row per result with its ratio and whether the target was met', () => {
    const result = {
      scenario: 'pod19-username',
      database: 'postgres',
      devices: 2000,
      carrierLatencyMs: 50,
      callsPerChange: 4,
      concurrency: 10,
      workers: 1,
      rateLimitPerSec: null,
      ceilingPerSec: 50,
      measuredPerSec: 46.1,
      ratio: 0.922,
      p50Ms: 210,
      p95Ms: 260,
      peakRssMb: 180,
      queriesPerChange: 31,
      target: 'ratio ≥ 0.9',
      met: true,
      notes: ['a note'],
    } as unknown as BenchResult;
    const table = formatTable([result, { ...result, scenario: 'original-design', met: false }]);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^scenario\s+db\s+devices/);
    expect(lines[2]).toMatch(
      /pod19-username\s+postgres\s+2000\s+50\s+4\s+10\s+1\s+-\s+50\s+46\.1\s+0\.92/,
    );
    expect(lines[2]).toMatch(/yes\s*$/);
    expect(lines[3]).toMatch(/NO\s*$/);
    expect(table).toContain('pod19-username: a note');
  });
});
