/**
 * The API commands of the CLI (they talk to a running service over HTTP):
 * `submit`, `status`, `watch`, `retry`, `cancel`, `list` and `demo-csv`. Each takes
 * `--api-url` / `--api-key` (else BULK_CHANGE_API_URL / BULK_CHANGE_API_KEY, else
 * `./data/demo-credentials.json`) and `--json` for scripts. `submit --wait` and `watch` show
 * live progress and exit with status 1 when any device failed.
 */

import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { type Command, InvalidArgumentError } from 'commander';
import { processEnv } from '../../config/env.ts';
import { AppError, ErrorCode } from '../../domain/errors.ts';
import { type ApiClient, createApiClient } from '../api/api-client.ts';
import { resolveApiConnection } from '../api/api-connection.ts';
import {
  type BulkChangeBody,
  countsLine,
  createProgressReporter,
  isFinished,
  progressLine,
} from '../api/progress-view.ts';

interface ApiFlags {
  apiUrl?: string;
  apiKey?: string;
  json?: boolean;
}

interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const io: Io = { stdout: process.stdout, stderr: process.stderr };

function withApiOptions(command: Command): Command {
  return command
    .option(
      '--api-url <url>',
      'service URL [env: BULK_CHANGE_API_URL] [default: demo-credentials.json, else http://localhost:3000]',
    )
    .option(
      '--api-key <key>',
      'tenant API key [env: BULK_CHANGE_API_KEY] [default: demo-credentials.json]',
    )
    .option('--json', 'print JSON for scripts');
}

async function clientFor(flags: ApiFlags): Promise<ApiClient> {
  return createApiClient(await resolveApiConnection(flags, processEnv()));
}

function parseId(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) {
    throw new InvalidArgumentError(`must be a positive whole number; got "${value}"`);
  }
  return Number(value);
}

function print(flags: ApiFlags, json: unknown, human: string): void {
  io.stdout.write(flags.json === true ? `${JSON.stringify(json, null, 2)}\n` : `${human}\n`);
}

function describe(body: BulkChangeBody): string {
  return [
    `Bulk change ${body.id} · ${body.changeType} · service provider ${body.serviceProviderId} · ${body.status}`,
    `  ${body.total} devices: ${countsLine(body.counts)}`,
    `  ${progressLine(body)}`,
    ...(body.errorText ? [`  error: ${body.errorText}`] : []),
  ].join('\n');
}

interface DeviceChangeItem {
  rowNumber: number;
  identifier: string;
  status: string;
  statusDetails: string | null;
  lastError: string | null;
}

async function failures(api: ApiClient, id: number): Promise<DeviceChangeItem[]> {
  const page = await api.get<{ items: DeviceChangeItem[] }>(
    `/bulk-changes/${id}/device-changes?status=API_FAILED,ERROR&limit=20`,
  );
  return page.items;
}

/** Polls until the bulk change finishes; returns its last state. */
async function follow(
  api: ApiClient,
  id: number,
  flags: ApiFlags,
  intervalMs: number,
): Promise<BulkChangeBody> {
  const reporter = createProgressReporter(flags.json === true ? io.stderr : io.stdout);
  for (;;) {
    const body = await api.get<BulkChangeBody>(`/bulk-changes/${id}`);
    reporter.update(body);
    if (isFinished(body)) {
      reporter.done();
      return body;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

async function finish(api: ApiClient, body: BulkChangeBody, flags: ApiFlags): Promise<void> {
  const failed = body.progress.failed > 0 || body.status === 'ERROR';
  const list = failed ? await failures(api, body.id) : [];
  if (flags.json === true) {
    io.stdout.write(`${JSON.stringify({ ...body, failures: list }, null, 2)}\n`);
  } else {
    const lines = [describe(body)];
    if (list.length > 0) {
      lines.push(
        `  failed devices${body.progress.failed > list.length ? ` (first ${list.length})` : ''}:`,
      );
      for (const f of list) {
        lines.push(
          `    row ${f.rowNumber} ${f.identifier}: ${f.status} — ${f.statusDetails ?? f.lastError ?? ''}`,
        );
      }
      lines.push(`  retry the API_FAILED ones with: bulk-change retry ${body.id}`);
    }
    io.stdout.write(`${lines.join('\n')}\n`);
  }
  if (failed) process.exitCode = 1;
}

async function readCsvFile(file: string): Promise<Buffer> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new Error('not a file');
    return await readFile(file);
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new AppError(
      ErrorCode.VALIDATION_FAILED,
      `Cannot read --file ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message}`,
    );
  }
}

interface SubmitOptions extends ApiFlags {
  type: string;
  serviceProvider: number;
  file: string;
  request?: string;
  wait?: boolean;
  dryRun?: boolean;
  strict?: boolean;
  idempotencyKey?: string;
  interval: number;
}

/** Registers the API commands on the program. */
export function registerApiCommands(program: Command): void {
  withApiOptions(
    program
      .command('submit')
      .description(
        'Submit a bulk change from a CSV file (header: iccid|msisdn|imei|eid and the per-device fields)',
      )
      .requiredOption('--type <changeType>', 'change type, e.g. EditUsernameCostCenter')
      .requiredOption(
        '--service-provider <id>',
        'service provider id (see `bulk-change list --service-providers`)',
        parseId,
      )
      .requiredOption('--file <devices.csv>', 'CSV file, one device per row')
      .option('--request <json>', 'fields shared by every row, as a JSON object')
      .option(
        '--wait',
        'follow progress until the bulk change finishes; exit 1 if any device failed',
      )
      .option('--dry-run', 'validate only and print the report')
      .option('--strict', 'refuse the whole file when any row is invalid')
      .option('--idempotency-key <key>', 'repeat-safe key (default: a new one per run)')
      .option('--interval <ms>', 'polling interval with --wait', parseId, 1000),
  ).action(async (opts: SubmitOptions) => {
    const csv = await readCsvFile(opts.file);
    const api = await clientFor(opts);
    const query = new URLSearchParams({
      changeType: opts.type,
      serviceProviderId: String(opts.serviceProvider),
      ...(opts.request === undefined ? {} : { request: opts.request }),
      ...(opts.dryRun === true ? { dryRun: 'true' } : {}),
      ...(opts.strict === true ? { strict: 'true' } : {}),
    });
    const { body } = await api.post<
      BulkChangeBody & {
        rejected: number;
        issues: { row?: number; field: string; message: string }[];
        valid?: boolean;
        accepted?: number;
      }
    >(
      `/bulk-changes?${query}`,
      { csv },
      { 'idempotency-key': opts.idempotencyKey ?? randomUUID() },
    );
    if (opts.dryRun === true) {
      const lines = [
        `Dry run: ${body.total} rows, ${body.accepted} valid, ${body.rejected} invalid`,
        ...body.issues.slice(0, 20).map((i) => `  row ${i.row ?? '-'} ${i.field}: ${i.message}`),
      ];
      print(opts, body, lines.join('\n'));
      if (body.rejected > 0) process.exitCode = 1;
      return;
    }
    if (opts.json !== true) {
      io.stdout.write(
        `Created bulk change ${body.id}: ${body.total} devices, ${body.rejected} rejected at submission\n`,
      );
      for (const issue of body.issues.slice(0, 10)) {
        io.stdout.write(`  row ${issue.row ?? '-'} ${issue.field}: ${issue.message}\n`);
      }
      if (body.issues.length > 10) io.stdout.write(`  … and ${body.issues.length - 10} more\n`);
    }
    if (opts.wait === true) {
      await finish(api, await follow(api, body.id, opts, opts.interval), opts);
      return;
    }
    if (opts.json === true) io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    else io.stdout.write(`Follow it with: bulk-change watch ${body.id}\n`);
    if (body.rejected > 0) process.exitCode = 1;
  });

  withApiOptions(
    program
      .command('status')
      .description('Show a bulk change: status, counts, progress')
      .argument('<id>', 'bulk change id', parseId),
  ).action(async (id: number, opts: ApiFlags) => {
    const api = await clientFor(opts);
    const body = await api.get<BulkChangeBody>(`/bulk-changes/${id}`);
    print(opts, body, describe(body));
  });

  withApiOptions(
    program
      .command('watch')
      .description('Follow a bulk change until it finishes; exit 1 if any device failed')
      .argument('<id>', 'bulk change id', parseId)
      .option('--interval <ms>', 'polling interval', parseId, 1000),
  ).action(async (id: number, opts: ApiFlags & { interval: number }) => {
    const api = await clientFor(opts);
    await finish(api, await follow(api, id, opts, opts.interval), opts);
  });

  withApiOptions(
    program
      .command('retry')
      .description('Re-queue the API_FAILED device changes of a bulk change')
      .argument('<id>', 'bulk change id', parseId),
  ).action(async (id: number, opts: ApiFlags) => {
    const api = await clientFor(opts);
    const { body } = await api.post<{ id: number; status: string; retried: number }>(
      `/bulk-changes/${id}/retry`,
    );
    print(
      opts,
      body,
      `Bulk change ${id}: ${body.retried} device changes re-queued (${body.status})`,
    );
  });

  withApiOptions(
    program
      .command('cancel')
      .description('Cancel the device changes of a bulk change that have not started')
      .argument('<id>', 'bulk change id', parseId),
  ).action(async (id: number, opts: ApiFlags) => {
    const api = await clientFor(opts);
    const { body } = await api.post<{ id: number; status: string; cancelled: number }>(
      `/bulk-changes/${id}/cancel`,
    );
    print(opts, body, `Bulk change ${id}: ${body.cancelled} device changes cancelled`);
  });

  withApiOptions(
    program
      .command('list')
      .description('List bulk changes (newest first), or the service providers')
      .option('--service-providers', 'list the service providers instead')
      .option('--status <status>', 'only bulk changes in this status')
      .option('--limit <n>', 'how many', parseId, 20),
  ).action(
    async (opts: ApiFlags & { serviceProviders?: boolean; status?: string; limit: number }) => {
      const api = await clientFor(opts);
      if (opts.serviceProviders === true) {
        const body = await api.get<{
          items: { id: number; name: string; integration: string; writeEnabled: boolean }[];
        }>('/service-providers');
        print(
          opts,
          body.items,
          body.items
            .map(
              (p) =>
                `${String(p.id).padStart(5)}  ${p.integration.padEnd(14)} ${p.name}${p.writeEnabled ? '' : ' (writes disabled)'}`,
            )
            .join('\n') || 'no service providers',
        );
        return;
      }
      const query = new URLSearchParams({
        limit: String(opts.limit),
        ...(opts.status === undefined ? {} : { status: opts.status }),
      });
      const body = await api.get<{ items: BulkChangeBody[]; nextCursor: string | null }>(
        `/bulk-changes?${query}`,
      );
      print(
        opts,
        body,
        body.items
          .map(
            (b) =>
              `${String(b.id).padStart(6)}  ${b.status.padEnd(10)} ${b.changeType.padEnd(24)} sp ${b.serviceProviderId}  ${b.progress.done}/${b.total} done, ${b.progress.failed} failed`,
          )
          .join('\n') || 'no bulk changes',
      );
    },
  );

  withApiOptions(
    program
      .command('demo-csv')
      .description('Print a CSV of devices of one of your service providers (e.g. to try `submit`)')
      .option('--integration <name>', 'first service provider of this integration, e.g. POD19')
      .option('--service-provider <id>', 'this service provider', parseId)
      .option('--count <n>', 'how many devices', parseId, 500)
      .option(
        '--bare',
        'only the iccid column (default: also ContactName and CostCenter1 demo values, ready for an EditUsernameCostCenter submit)',
      ),
  ).action(
    async (
      opts: ApiFlags & {
        integration?: string;
        serviceProvider?: number;
        count: number;
        bare?: boolean;
      },
    ) => {
      const api = await clientFor(opts);
      let spId = opts.serviceProvider;
      if (spId === undefined) {
        const sps = await api.get<{ items: { id: number; integration: string }[] }>(
          '/service-providers',
        );
        const wanted = (opts.integration ?? 'POD19').toLowerCase();
        spId = sps.items.find((p) => p.integration.toLowerCase() === wanted)?.id;
        if (spId === undefined) {
          throw new AppError(
            ErrorCode.NOT_FOUND,
            `No service provider with integration ${opts.integration ?? 'POD19'} (have: ${sps.items.map((p) => p.integration).join(', ')})`,
          );
        }
      }
      const bare = opts.bare === true;
      const out: string[] = [bare ? 'iccid' : 'iccid,ContactName,CostCenter1'];
      let cursor: string | null = null;
      while (out.length - 1 < opts.count) {
        const query: URLSearchParams = new URLSearchParams({
          serviceProviderId: String(spId),
          limit: String(Math.min(1000, opts.count - (out.length - 1))),
          ...(cursor === null ? {} : { cursor }),
        });
        const page: { items: { iccid: string | null }[]; nextCursor: string | null } =
          await api.get<{
            items: { iccid: string | null }[];
            nextCursor: string | null;
          }>(`/devices?${query}`);
        for (const d of page.items) {
          if (d.iccid === null) continue;
          const n = out.length;
          out.push(
            bare ? d.iccid : `${d.iccid},Demo unit ${n},DEMO-${String.fromCharCode(65 + (n % 3))}`,
          );
        }
        cursor = page.nextCursor;
        if (cursor === null) break;
      }
      io.stdout.write(`${out.join('\n')}\n`);
    },
  );
}
