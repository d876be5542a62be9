/**
 * Submit use case: validate every row of a bulk change and store it with all its device
 * changes in one transaction, together with the outbox row that sends its first queue message
 * after commit (a crash between commit and enqueue loses nothing: the relay sends it later).
 *
 * Rows are read from their source (JSON or CSV stream) and handled in chunks of
 * {@link SUBMIT_CHUNK_SIZE}: validated with batched device look-ups, then inserted with
 * multi-row statements, so memory stays flat whatever the size of the upload.
 *
 * Modes:
 * - default: invalid rows are stored as ERROR device changes with the reason;
 * - `strict`: any invalid row refuses the whole request (ValidationError listing every bad row
 *   and field; the transaction is rolled back, nothing is created);
 * - `dryRun`: the full validation report, nothing written.
 *
 * `idempotencyKey`: a repeated request with the same key and the same payload returns the first
 * result (`replayed`); the same key with another payload is refused (IDEMPOTENCY_KEY_REUSED).
 */
import { type ChangeType, parseChangeType } from '../../domain/change-types/change-type.ts';
import {
  getChangeTypeDefinition,
  isChangeTypeSupportedFor,
} from '../../domain/change-types/registry.ts';
import {
  AppError,
  ErrorCode,
  NotFoundError,
  ValidationError,
  type ValidationIssue,
} from '../../domain/errors.ts';
import { integrationPortalType } from '../../domain/integrations.ts';
import type { DeviceChangeCounts } from '../bulk-changes/bulk-change-view.ts';
import type { SubmitStore } from '../ports/submit-store.ts';
import { MAX_SUBMIT_ROWS, type RowSource, type SubmitRow, tooManyRows } from './submit-rows.ts';
import { prepareReferenceData } from './type-rules.ts';
import { type ValidatedRow, type ValidationContext, validateChunk } from './validate-rows.ts';

/** Rows validated and inserted per batch. */
export const SUBMIT_CHUNK_SIZE = 5000;

/** Input of {@link SubmitBulkChange}. */
export interface SubmitInput {
  tenantId: number;
  /** Who submits (recorded as `created_by`). */
  createdBy: string;
  /** Change type name (aliases and any case accepted). */
  changeType: string;
  serviceProviderId: number;
  /** Fields shared by every device (original names). */
  request: Record<string, unknown>;
  rows: RowSource;
  dryRun?: boolean;
  strict?: boolean;
  idempotencyKey?: string | null;
  /**
   * Hash of the whole request, available once the rows have been read (a CSV body is hashed
   * while it streams).
   */
  payloadHash?: () => string;
}

/** Validation report of a submission. */
export interface SubmitReport {
  total: number;
  accepted: number;
  rejected: number;
  /** Every problem, with its row and field. */
  issues: ValidationIssue[];
}

/** Outcome of {@link SubmitBulkChange}. */
export type SubmitOutcome =
  | { kind: 'created'; bulkChangeId: number; counts: DeviceChangeCounts; report: SubmitReport }
  | { kind: 'replayed'; bulkChangeId: number }
  | { kind: 'dryRun'; changeType: ChangeType; serviceProviderId: number; report: SubmitReport };

/** The submit use case. */
export type SubmitBulkChange = (input: SubmitInput) => Promise<SubmitOutcome>;

/** Dependencies of {@link createSubmitBulkChange}. */
export interface SubmitDeps {
  store: SubmitStore;
  /** Called after a bulk change was committed (wakes the outbox relay up). */
  onCreated?: (bulkChangeId: number) => void;
}

async function* chunks(
  source: AsyncIterable<SubmitRow>,
  size: number,
): AsyncGenerator<SubmitRow[]> {
  let batch: SubmitRow[] = [];
  for await (const row of source) {
    if (row.rowNumber > MAX_SUBMIT_ROWS) throw tooManyRows();
    batch.push(row);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

function tally(report: SubmitReport, validated: readonly ValidatedRow[]): void {
  for (const v of validated) {
    report.total += 1;
    if (v.row.status === 'ERROR') {
      report.rejected += 1;
      report.issues.push(...v.issues);
    } else report.accepted += 1;
  }
}

async function drain(source: AsyncIterable<SubmitRow>): Promise<void> {
  for await (const _row of source) {
    // read to the end (the payload hash covers the whole body)
  }
}

/**
 * Creates the submit use case.
 *
 * @example
 * const submit = createSubmitBulkChange({ store });
 * const outcome = await submit({ tenantId, createdBy: 'api', changeType: 'EditUsername',
 *   serviceProviderId: 7, request: { ContactName: 'Truck 12' }, rows: jsonRowSource(['8901…']) });
 */
export function createSubmitBulkChange(deps: SubmitDeps): SubmitBulkChange {
  const { store } = deps;
  return async (input) => {
    const changeType = parseChangeType(input.changeType);
    const definition = getChangeTypeDefinition(changeType);
    const provider = await store.findServiceProvider(input.tenantId, input.serviceProviderId);
    if (provider === undefined)
      throw new NotFoundError('Service provider', input.serviceProviderId);
    if (!isChangeTypeSupportedFor(changeType, provider.integration)) {
      throw new ValidationError(
        `${changeType} cannot be carried to ${provider.integration} (service provider ${provider.id}); supported: ${definition.supportedIntegrations.join(', ')}`,
        [{ field: 'changeType', message: `is not supported for ${provider.integration}` }],
      );
    }
    const rowSpec = {
      identifierKinds: definition.identifierKinds,
      perDeviceFields: definition.perDeviceFields,
    };
    const rows = input.rows(rowSpec);
    const key = input.idempotencyKey ?? null;
    const hash = () => input.payloadHash?.() ?? '';

    if (key !== null && input.dryRun !== true) {
      const previous = await store.findIdempotentSubmission(input.tenantId, key);
      if (previous !== undefined) {
        await drain(rows);
        if (previous.payloadHash !== null && previous.payloadHash !== hash()) {
          throw new AppError(
            ErrorCode.IDEMPOTENCY_KEY_REUSED,
            `Idempotency-Key "${key}" was already used for bulk change ${previous.bulkChangeId} with a different request; use a new key`,
            { context: { idempotencyKey: key, bulkChangeId: previous.bulkChangeId } },
          );
        }
        return { kind: 'replayed', bulkChangeId: previous.bulkChangeId };
      }
    }

    const ctx: ValidationContext = {
      changeType,
      provider,
      identifierKinds: definition.identifierKinds,
      defaultKind:
        provider.integration === 'Telegence' && definition.identifierKinds.includes('msisdn')
          ? 'msisdn'
          : (definition.identifierKinds[0] ?? 'iccid'),
      request: input.request,
      reference: prepareReferenceData(
        await store.loadReferenceData(provider),
        provider.integration,
      ),
      seenIdentifiers: new Map(),
      seenDevices: new Map(),
    };
    const report: SubmitReport = { total: 0, accepted: 0, rejected: 0, issues: [] };
    const noDevices = () =>
      new ValidationError('The bulk change has no devices', [
        { field: 'devices', message: 'give at least one device' },
      ]);

    if (input.dryRun === true) {
      for await (const batch of chunks(rows, SUBMIT_CHUNK_SIZE)) {
        tally(report, await validateChunk(ctx, batch, store));
      }
      if (report.total === 0) throw noDevices();
      return { kind: 'dryRun', changeType, serviceProviderId: provider.id, report };
    }

    const portalType = integrationPortalType(provider.integration);
    const created = await store.transaction(async (tx) => {
      const bulkChangeId = await tx.createBulkChange({
        tenantId: input.tenantId,
        serviceProviderId: provider.id,
        changeType,
        portalType,
        request: input.request,
        createdBy: input.createdBy,
        idempotencyKey: key,
      });
      const counts: Record<string, number> = {};
      // The insert of a chunk is not awaited before the next chunk is read and validated, so
      // the CSV parsing and validation work overlaps the database's work on the insert (the
      // next chunk's look-ups queue behind it on the transaction's connection).
      let pending: Promise<void> = Promise.resolve();
      let failed: unknown;
      for await (const batch of chunks(rows, SUBMIT_CHUNK_SIZE)) {
        const validated = await validateChunk(ctx, batch, tx);
        await pending;
        if (failed !== undefined) throw failed;
        tally(report, validated);
        if (input.strict === true && report.rejected > 0) continue;
        for (const v of validated) counts[v.row.status] = (counts[v.row.status] ?? 0) + 1;
        pending = tx
          .addDeviceChanges(
            bulkChangeId,
            portalType,
            validated.map((v) => v.row),
          )
          .catch((error: unknown) => {
            failed = error;
          });
      }
      await pending;
      if (failed !== undefined) throw failed;
      if (report.total === 0) throw noDevices();
      if (input.strict === true && report.rejected > 0) {
        throw new ValidationError(
          `${report.rejected} of ${report.total} rows are invalid; nothing was created (strict mode)`,
          report.issues,
        );
      }
      await tx.finalize(bulkChangeId, {
        total: report.total,
        idempotency: key === null ? null : { key, payloadHash: hash() },
      });
      return { bulkChangeId, counts };
    });
    deps.onCreated?.(created.bulkChangeId);
    return {
      kind: 'created',
      bulkChangeId: created.bulkChangeId,
      counts: created.counts as DeviceChangeCounts,
      report,
    };
  };
}
