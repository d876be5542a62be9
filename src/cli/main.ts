/**
 * `bulk-change` command line: parses arguments and runs one command. No business logic lives
 * here; commands call into the runtime (composition root) and the app layer.
 *
 * Every option may come from a flag, else its environment variable, else its default; each
 * option's help line says which variable and default apply (see README "Configuration").
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { CONFIG_OPTIONS, type ServiceOptions } from '../config/config-options.ts';
import { registerApiCommands } from './commands/api-commands.ts';
import { runBenchCommand } from './commands/bench.ts';
import { runMigrateCommand } from './commands/migrate.ts';
import { runSeedCommand } from './commands/seed.ts';
import { runServeCommand } from './commands/serve.ts';
import { runSimulatorsCommand } from './commands/simulators.ts';
import { runWebhookSecretCommand } from './commands/webhook-secret.ts';
import { runWorkerCommand } from './commands/worker.ts';
import { reportFatal } from './report-fatal.ts';

/** Builds the commander program (exported for tests of `--help`). */
export function buildProgram(): Command {
  const program = new Command('bulk-change')
    .description(
      'Bulk changes for IoT/M2M SIM fleets: carriers, Rev.io billing and the device database.',
    )
    .version(packageJson.version)
    .showHelpAfterError()
    .configureHelp({ showGlobalOptions: true });

  for (const doc of CONFIG_OPTIONS) {
    const help = `${doc.description} [env: ${doc.env}] [default: ${doc.defaultText}]`;
    if (doc.flag.startsWith('--no-')) {
      // Declaring the positive flag too keeps the value undefined unless one is given, so the
      // environment variable and the mode-dependent default still apply (commander would
      // otherwise default a lone --no-x option to true).
      program.addOption(new Option(`--${doc.flag.slice('--no-'.length)}`, `Force on. ${help}`));
    }
    program.addOption(new Option(doc.flag, help));
  }

  program
    .command('serve')
    .description(
      'Run the service: migrate, seed the demo on first start (local mode), serve the HTTP API and run the in-process worker (aws mode: no migration, no worker; messages are only sent to SQS).',
    )
    .action(async (_opts: unknown, command: Command) => {
      await runServeCommand(flagsOf(command));
    });

  program
    .command('migrate')
    .description('Apply pending database migrations and print the schema version.')
    .option('--status', 'only print applied and pending migrations, change nothing')
    .action(async (opts: { status?: boolean }, command: Command) => {
      await runMigrateCommand(flagsOf(command), { statusOnly: opts.status === true });
    });

  program
    .command('seed')
    .description(
      'Seed the demo tenant (service providers, devices, Rev.io data) if it does not exist yet; prints the demo API key when it creates one.',
    )
    .action(async (_opts: unknown, command: Command) => {
      await runSeedCommand(flagsOf(command));
    });

  program
    .command('worker')
    .description(
      'Work bulk-change messages from the queue (pg-boss in server mode, SQS long polling in aws mode); run any number of workers on any hosts.',
    )
    .action(async (_opts: unknown, command: Command) => {
      await runWorkerCommand(flagsOf(command));
    });

  program
    .command('simulators')
    .description(
      'Run the Jasper, ThingSpace, Telegence and Rev.io simulators (demo accounts and devices) and print their base URLs.',
    )
    .option('--seed <n>', "seed of the simulators' randomness (faults, lag)", parseSeed, 1)
    .option('--sim-host <host>', 'interface the simulators listen on', '127.0.0.1')
    .action(async (opts: { seed: number; simHost: string }, command: Command) => {
      await runSimulatorsCommand(flagsOf(command), { seed: opts.seed, host: opts.simHost });
    });

  registerApiCommands(program);
  program
    .command('webhook-secret')
    .description(
      "Print a tenant's status-webhook signing secret (whsec_…, created on first use); --rotate replaces it.",
    )
    .requiredOption('--tenant <id>', 'tenant id', parseTenantId)
    .option('--rotate', 'replace the secret with a new one')
    .action(async (opts: { tenant: number; rotate?: boolean }, command: Command) => {
      await runWebhookSecretCommand(flagsOf(command), {
        tenantId: opts.tenant,
        rotate: opts.rotate === true,
      });
    });

  program
    .command('bench')
    .description(
      'Run the benchmark scenarios (throughput against the carrier ceiling, engine overhead, scale) against the simulators and print a table, or JSON lines with --json.',
    )
    .option(
      '--scenario <name>',
      'scenario to run (repeatable or comma-separated): pod19-username, original-design, shared-rate-limit, engine-overhead-pglite, engine-overhead-postgres, scale-100k; default all',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--devices <n>', 'device changes per scenario (overrides its default)', parsePositive)
    .option('--concurrency <n>', 'MAX_PARALLEL_REQUESTS of the workers', parsePositive)
    .option('--latency-ms <ms>', 'simulated latency of every carrier and billing call', parseWhole)
    .option('--quick', 'every scenario small (under a minute in all)')
    .option('--json', 'one JSON object per scenario per line on stdout')
    .option('--strict', 'exit non-zero when a scenario misses its target')
    .option(
      '--postgres-url <url>',
      'PostgreSQL server the PostgreSQL scenarios create a fresh database on [default: DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres]',
    )
    .action(async (opts: Parameters<typeof runBenchCommand>[0]) => {
      await runBenchCommand(opts);
    });

  return program;
}

/** `--tenant` must be a positive whole number. */
function parseTenantId(value: string): number {
  if (!/^[1-9]\d*$/.test(value.trim())) {
    throw new InvalidArgumentError(
      `--tenant must be a tenant id (a positive whole number); got "${value}"`,
    );
  }
  return Number(value);
}

/** A whole number ≥ 1. */
function parsePositive(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) {
    throw new InvalidArgumentError(`expected a whole number ≥ 1; got "${value}"`);
  }
  return Number(value);
}

/** A whole number ≥ 0. */
function parseWhole(value: string): number {
  if (!/^\d+$/.test(value.trim())) {
    throw new InvalidArgumentError(`expected a whole number ≥ 0; got "${value}"`);
  }
  return Number(value);
}

/** `--seed` must be a whole number (it seeds the simulators' PRNG). */
function parseSeed(value: string): number {
  if (!/^\d+$/.test(value.trim())) {
    throw new InvalidArgumentError(`--seed must be a whole number; got "${value}"`);
  }
  return Number(value);
}

/** Collects the global config flags given on the command line. */
function flagsOf(command: Command): ServiceOptions {
  const all = command.optsWithGlobals<Record<string, unknown>>();
  const flags: ServiceOptions = {};
  for (const doc of CONFIG_OPTIONS) {
    const value = all[doc.key];
    if (value !== undefined) (flags as Record<string, unknown>)[doc.key] = value;
  }
  return flags;
}

/**
 * Runs the CLI with `argv` (as in `process.argv`) and sets the exit code on failure.
 *
 * @example
 * await runCli(['node', 'bulk-change', 'migrate']);
 */
export async function runCli(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (error) {
    process.exitCode = reportFatal(error);
  }
}
