/**
 * The operations of the Telegence client, built on the client core (auth headers, error table,
 * call runner). Idempotency per operation is explained in `telegence-client.ts`.
 */
import type { z } from 'zod';
import type {
  TelegenceActivationSubmission,
  TelegenceClient,
  TelegenceCore,
  TelegenceExchange,
  TelegenceWriteResult,
} from './telegence-client.ts';
import { invalidRequestError, type TelegenceOperation } from './telegence-errors.ts';
import {
  activationIccid,
  formatEffectiveDate,
  isActivationProcessed,
  ratePlanBody,
  removeOfferingBody,
  statusBody,
  swapBody,
  type TelegenceLine,
  type TelegenceListedLine,
  toActivationLine,
  toLine,
  toListedLine,
  toSubscriberNumber,
  withoutRemoveOfferings,
} from './telegence-mapper.ts';
import {
  activationBatchSchema,
  activationResponseSchema,
  deviceListResponseSchema,
  lineResponseSchema,
  patchAckSchema,
  TELEGENCE_MAX_ACTIVATIONS_PER_REQUEST,
  TELEGENCE_PATHS,
  TELEGENCE_STATUS_AFTER,
  type TelegencePatchLineBody,
} from './telegence-wire.ts';

/** Most device-list pages one activation lookup reads. */
const MAX_LOOKUP_PAGES = 400;

/** Builds the client's operations on `core`. */
export function createTelegenceOperations(core: TelegenceCore): TelegenceClient {
  const lineExchange = (mdn: string): TelegenceExchange<TelegenceLine> => ({
    operation: 'getLine',
    deviceId: mdn,
    method: 'GET',
    target: 'lineconfig',
    path: `${TELEGENCE_PATHS.line}/${mdn}`,
    parse: (res, fail) => toLine(parseWith(lineResponseSchema, res.json, fail), mdn),
  });

  const listExchange = (page: number, pageSize: number) =>
    ({
      operation: 'listLines',
      method: 'GET',
      target: 'deviceList',
      path: '',
      headers: { 'current-page': String(page), 'page-size': String(pageSize) },
      parse: (res, fail) => ({
        lines: parseWith(deviceListResponseSchema, res.json, fail).map(toListedLine),
        page,
        pageTotal: positiveInt(res.headers.get('page-total')) ?? 1,
      }),
    }) satisfies TelegenceExchange<{
      lines: TelegenceListedLine[];
      page: number;
      pageTotal: number;
    }>;

  const patch = (
    operation: TelegenceOperation,
    mdn: string,
    body: TelegencePatchLineBody,
    how: {
      idempotent: boolean;
      sentIccid?: boolean;
      /** For non-idempotent PATCHes: true when the line shows the change applied. */
      applied?: (line: TelegenceLine) => boolean;
      signal: AbortSignal | undefined;
    },
  ): Promise<TelegenceWriteResult> => {
    const applied = how.applied;
    return core.run<TelegenceWriteResult>(
      {
        operation,
        deviceId: mdn,
        method: 'PATCH',
        target: 'lineconfig',
        path: `${TELEGENCE_PATHS.line}/${mdn}`,
        json: body,
        sentIccid: how.sentIccid,
        parse: (res, fail) => {
          const ack = parseWith(patchAckSchema, res.json, fail);
          return {
            subscriberNumber: mdn,
            interactionId: ack.id,
            effectiveDate: ack.effectiveDate,
            confirmedByLookup: false,
          };
        },
      },
      {
        idempotent: how.idempotent,
        signal: how.signal,
        lookup:
          applied === undefined
            ? undefined
            : async (signal) => {
                const line = await core.lookupOnce(lineExchange(mdn), signal, operation);
                return applied(line)
                  ? {
                      subscriberNumber: mdn,
                      interactionId: undefined,
                      effectiveDate: undefined,
                      confirmedByLookup: true,
                    }
                  : undefined;
              },
      },
    );
  };

  const findActivatedLines = async (
    iccids: readonly string[],
    signal: AbortSignal,
  ): Promise<TelegenceListedLine[]> => {
    const wanted = new Set(iccids);
    const found: TelegenceListedLine[] = [];
    for (let page = 1; page <= MAX_LOOKUP_PAGES; page++) {
      const result = await core.lookupOnce(
        listExchange(page, core.deviceListPageSize),
        signal,
        'activateServices',
      );
      for (const line of result.lines) {
        if (line.iccid !== undefined && wanted.has(line.iccid)) found.push(line);
      }
      if (found.length === wanted.size || page >= result.pageTotal) break;
    }
    return found;
  };

  return {
    async getLine(msisdn, options = {}) {
      const mdn = subscriberNumberOf('getLine', msisdn);
      return core.run(lineExchange(mdn), { idempotent: true, signal: options.signal });
    },

    async changeRatePlan(msisdn, change, options = {}) {
      const mdn = subscriberNumberOf('changeRatePlan', msisdn);
      requireText('changeRatePlan', mdn, 'ratePlanCode', change.ratePlanCode);
      // Computed once, so that every attempt sends the same body (idempotent retry).
      const effectiveDate = formatEffectiveDate(change.effectiveDate ?? core.now());
      return patch('changeRatePlan', mdn, ratePlanBody(change.ratePlanCode, effectiveDate), {
        idempotent: true,
        signal: options.signal,
      });
    },

    async changeStatus(msisdn, change, options = {}) {
      const mdn = subscriberNumberOf('changeStatus', msisdn);
      requireText('changeStatus', mdn, 'reasonCode', change.reasonCode);
      const target = TELEGENCE_STATUS_AFTER[change.action];
      if (target === undefined) {
        throw invalidRequestError('changeStatus', mdn, `unknown action "${change.action}"`);
      }
      const effectiveDate =
        change.effectiveDate === undefined ? undefined : formatEffectiveDate(change.effectiveDate);
      return patch(
        'changeStatus',
        mdn,
        statusBody(change.action, change.reasonCode, effectiveDate),
        {
          idempotent: false,
          applied: (line) => line.status === target,
          signal: options.signal,
        },
      );
    },

    async swapEquipment(msisdn, swap, options = {}) {
      const mdn = subscriberNumberOf('swapEquipment', msisdn);
      requireText('swapEquipment', mdn, 'reasonCode', swap.reasonCode);
      if (swap.iccid === undefined && swap.imei === undefined) {
        throw invalidRequestError('swapEquipment', mdn, 'give the new ICCID, the new IMEI or both');
      }
      return patch('swapEquipment', mdn, swapBody(swap), {
        idempotent: true,
        sentIccid: swap.iccid !== undefined,
        signal: options.signal,
      });
    },

    async removeOffering(msisdn, offeringCode, options = {}) {
      const mdn = subscriberNumberOf('removeOffering', msisdn);
      requireText('removeOffering', mdn, 'offeringCode', offeringCode);
      return patch('removeOffering', mdn, removeOfferingBody(offeringCode), {
        idempotent: false,
        applied: (line) => !line.offerings.some((o) => o.code === offeringCode),
        signal: options.signal,
      });
    },

    async activateServices(requests, options = {}) {
      if (requests.length === 0) {
        throw invalidRequestError('activateServices', undefined, 'no activation records');
      }
      if (requests.length > TELEGENCE_MAX_ACTIVATIONS_PER_REQUEST) {
        throw invalidRequestError(
          'activateServices',
          undefined,
          `${requests.length} activation records; at most ${TELEGENCE_MAX_ACTIVATIONS_PER_REQUEST} per request (split them with splitActivationBatches)`,
        );
      }
      const batch = requests.map(withoutRemoveOfferings);
      const checked = activationBatchSchema.safeParse(batch);
      if (!checked.success) {
        throw invalidRequestError('activateServices', undefined, issueText(checked.error));
      }
      const iccids = batch.map(activationIccid).filter((i): i is string => i !== undefined);
      const first = iccids[0];
      const deviceId =
        first === undefined
          ? undefined
          : iccids.length === 1
            ? first
            : `${first} (+${iccids.length - 1} more)`;
      return core.run<TelegenceActivationSubmission>(
        {
          operation: 'activateServices',
          deviceId,
          method: 'POST',
          target: 'lineconfig',
          path: core.activationPath,
          json: batch,
          sentIccid: iccids.length > 0,
          parse: (res, fail) => {
            const records = parseWith(activationResponseSchema, res.json, fail);
            return {
              activationId: records[0]?.id,
              lines: records.map(toActivationLine),
              confirmedByLookup: false,
              foundLines: [],
              unconfirmed: false,
            };
          },
        },
        {
          idempotent: false,
          signal: options.signal,
          lookup:
            iccids.length === 0
              ? undefined
              : async (signal) => {
                  const found = await findActivatedLines(iccids, signal);
                  if (found.length === 0 && options.ifAmbiguous !== 'report') return undefined;
                  return {
                    activationId: undefined,
                    lines: [],
                    confirmedByLookup: found.length > 0,
                    foundLines: found,
                    unconfirmed: found.length === 0,
                  };
                },
        },
      );
    },

    async getActivationStatus(activationId, options = {}) {
      requireText('getActivationStatus', activationId, 'activationId', activationId);
      return core.run(
        {
          operation: 'getActivationStatus',
          deviceId: activationId,
          method: 'GET',
          target: 'lineconfig',
          path: `${core.activationPath}/${encodeURIComponent(activationId)}`,
          parse: (res, fail) => {
            const lines = parseWith(activationResponseSchema, res.json, fail).map(toActivationLine);
            return {
              activationId,
              lines,
              processed: isActivationProcessed(lines),
              esimRequired: lines.every((l) => l.esimRequired),
            };
          },
        },
        { idempotent: true, signal: options.signal },
      );
    },

    async listLines(page = {}, options = {}) {
      const pageSize = page.pageSize ?? core.deviceListPageSize;
      return core.run(listExchange(page.page ?? 1, pageSize), {
        idempotent: true,
        signal: options.signal,
      });
    },
  };
}

function subscriberNumberOf(operation: TelegenceOperation, msisdn: string): string {
  const mdn = toSubscriberNumber(msisdn);
  if (mdn === undefined) {
    throw invalidRequestError(
      operation,
      msisdn,
      'a Telegence subscriber number has 10 digits (11 when the first is the country code 1)',
    );
  }
  return mdn;
}

function requireText(
  operation: TelegenceOperation,
  deviceId: string,
  field: string,
  value: unknown,
): void {
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalidRequestError(operation, deviceId, `${field} is required`);
  }
}

function parseWith<S extends z.ZodType>(
  schema: S,
  json: unknown,
  fail: (reason: string) => never,
): z.output<S> {
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : fail(issueText(parsed.error));
}

function issueText(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid body';
  const path = issue.path.length === 0 ? 'body' : issue.path.join('.');
  return `${path}: ${issue.message}`;
}

function positiveInt(value: string | null): number | undefined {
  const n = Number(value);
  return value !== null && Number.isInteger(n) && n > 0 ? n : undefined;
}
