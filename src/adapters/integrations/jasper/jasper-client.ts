/**
 * Client of Cisco IoT Control Center REST API v1 ("Jasper"), used by the Jasper, POD19,
 * TMobileJasper and Rogers integrations.
 *
 * - Auth: HTTP Basic `base64(username:apiKey)` on every call; no token.
 * - Every operation runs through the account's call runner (resilience policy around the
 *   rate limiter around one HTTP attempt). All operations are idempotent: reads, and edits
 *   that PUT absolute values, so a retry after a timeout cannot apply a change twice.
 * - A 2xx edit whose body lacks a non-empty `iccid` is a failure (`INTEGRATION_BAD_RESPONSE`),
 *   as in the original.
 * - Only `IntegrationError` leaves the client (except the caller's own abort reason).
 *   The client never logs.
 */
import { ErrorCode } from '../../../domain/errors.ts';
import { createCallRunner } from '../shared/call-runner.ts';
import {
  createHttpTransport,
  type HttpRequest,
  type HttpResponse,
} from '../shared/http-transport.ts';
import { isIntegrationError } from '../shared/integration-error.ts';
import {
  isBefore,
  type JasperFieldEditQuery,
  judgeFieldEdit,
  pod19UsernameFailureMessage,
  sinceMs,
} from './jasper-audit.ts';
import type {
  JasperAuditQuery,
  JasperCallOptions,
  JasperClient,
  JasperClientOptions,
  JasperDeviceEdit,
  JasperPaths,
} from './jasper-client-types.ts';
import { createJasperLimiter, createJasperPolicy } from './jasper-defaults.ts';
import { createJasperErrors, type JasperCall } from './jasper-errors.ts';
import {
  JASPER_AUDIT_LIMITS,
  JASPER_USERNAME_TARGETS,
  type JasperAuditRecord,
  type JasperAuditTrailPage,
  type JasperDevice,
  type JasperDeviceEditRequest,
  type JasperSearchPage,
  jasperAuditTrailSchema,
  jasperDeviceSchema,
  jasperEditResponseSchema,
  jasperSearchResponseSchema,
  normaliseJasperStatus,
} from './jasper-wire.ts';

/** Types of the client, re-exported (defined in `jasper-client-types.ts`). */
export type {
  JasperAuditQuery,
  JasperCallOptions,
  JasperClient,
  JasperClientOptions,
  JasperDeviceEdit,
  JasperEditResult,
  JasperPaths,
  JasperSearchQuery,
} from './jasper-client-types.ts';

const DEFAULT_PATHS: JasperPaths = {
  device: '/devices/{iccid}',
  auditTrail: '/devices/{iccid}/auditTrails',
  search: '/devices',
};
const DAY_MS = 86_400_000;

/**
 * Creates a client for one Control Center account.
 *
 * @example
 * const jasper = createJasperClient({
 *   baseUrl: provider.settings.baseUrl,          // 'http://127.0.0.1:4010/rws/api/v1' in local mode
 *   username: provider.settings.username,
 *   apiKey: secrets.apiKey,
 *   usernameTargetField: provider.settings.usernameTargetField,
 *   limiter: createJasperLimiter({ ratePerSecond: provider.settings.rateLimitPerSecond }),
 * });
 * await jasper.editDevice('89014103211118510720', { status: 'deactivated' }); // sends DEACTIVATED
 * const sent = new Date();
 * await jasper.setUsername('89014103211118510720', 'Truck 0042');
 * const check = await jasper.verifyUsernameEdit('89014103211118510720', 'Truck 0042', sent);
 */
export function createJasperClient(options: JasperClientOptions): JasperClient {
  const usernameTargetField = options.usernameTargetField ?? 'accountCustom1';
  if (!JASPER_USERNAME_TARGETS.includes(usernameTargetField)) {
    throw new RangeError(
      `usernameTargetField must be one of ${JASPER_USERNAME_TARGETS.join(', ')}; got ${usernameTargetField}`,
    );
  }
  const account = options.account ?? `jasper:${options.username}`;
  const paths = { ...DEFAULT_PATHS, ...options.paths };
  const basic = Buffer.from(`${options.username}:${options.apiKey}`).toString('base64');
  const authorization = `Basic ${basic}`;
  const errors = createJasperErrors({
    throttleWaitMs: options.throttleWaitMs,
    secrets: [options.apiKey, basic, `${options.username}:${options.apiKey}`],
  });
  const http = createHttpTransport({
    api: 'jasper',
    baseUrl: options.baseUrl,
    timeoutMs: options.timeoutMs,
    fetch: options.fetch,
  });
  const runner = createCallRunner({
    policy: options.policy ?? createJasperPolicy({ account }),
    limiter: options.limiter ?? createJasperLimiter(),
  });

  const pathOf = (template: string, iccid: string) =>
    template.replace('{iccid}', encodeURIComponent(iccid));

  /** Runs one operation: every attempt sends once; failures become IntegrationErrors. */
  const run = async <T>(
    call: JasperCall,
    request: Omit<HttpRequest, 'operation' | 'deviceId' | 'signal'>,
    accept: (res: HttpResponse) => T,
    signal: AbortSignal | undefined,
  ): Promise<T> => {
    const attempt = async (attemptSignal: AbortSignal): Promise<T> => {
      let res: HttpResponse;
      try {
        res = await http.request({
          ...request,
          headers: { ...request.headers, authorization },
          operation: call.operation,
          deviceId: call.deviceId,
          signal: attemptSignal,
        });
      } catch (error) {
        throw errors.fromThrown(error, call);
      }
      if (res.status < 200 || res.status > 299) throw errors.fromResponse(res, call);
      if (res.malformed) throw errors.fromResponse(res, call, 'body is not valid JSON');
      return accept(res);
    };
    try {
      return await runner.run(attempt, { idempotent: true, signal });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      // The breaker's own error names neither the operation nor the device.
      if (isIntegrationError(error) && error.code === ErrorCode.INTEGRATION_CIRCUIT_OPEN)
        throw errors.fromThrown(error, call);
      throw error;
    }
  };

  const parse = <S extends { safeParse(v: unknown): { success: boolean; data?: unknown } }>(
    schema: S,
    res: HttpResponse,
    call: JasperCall,
    what: string,
  ) => {
    const parsed = schema.safeParse(res.json);
    if (!parsed.success) throw errors.fromResponse(res, call, `${what} has an unexpected shape`);
    return parsed.data;
  };

  const getAuditTrail: JasperClient['getAuditTrail'] = (iccid, query = {}, opts = {}) => {
    const call = { operation: 'getAuditTrail', deviceId: iccid };
    const daysOfHistory = query.daysOfHistory ?? JASPER_AUDIT_LIMITS.defaultDays;
    const pageSize = query.pageSize ?? JASPER_AUDIT_LIMITS.maxPageSize;
    if (daysOfHistory < 1 || daysOfHistory > JASPER_AUDIT_LIMITS.maxDays)
      return Promise.reject(errors.invalidRequest(call, 'daysOfHistory must be 1..365'));
    if (pageSize < 1 || pageSize > JASPER_AUDIT_LIMITS.maxPageSize)
      return Promise.reject(errors.invalidRequest(call, 'pageSize must be 1..50'));
    return run(
      call,
      {
        method: 'GET',
        path: pathOf(paths.auditTrail, iccid),
        query: { daysOfHistory, pageSize, pageNumber: query.pageNumber ?? 1 },
      },
      (res) => parse(jasperAuditTrailSchema, res, call, 'audit trail') as JasperAuditTrailPage,
      opts.signal,
    );
  };

  async function* iterateAuditTrail(
    iccid: string,
    query: Omit<JasperAuditQuery, 'pageNumber'> & { maxPages?: number } = {},
    opts: JasperCallOptions = {},
  ): AsyncGenerator<JasperAuditRecord> {
    const maxPages = query.maxPages ?? 10;
    for (let pageNumber = 1; pageNumber <= maxPages; pageNumber++) {
      const page = await getAuditTrail(iccid, { ...query, pageNumber }, opts);
      yield* page.deviceAuditTrails;
      if (page.lastPage || page.deviceAuditTrails.length === 0) return;
    }
  }

  const editDevice: JasperClient['editDevice'] = (iccid, fields, opts = {}) => {
    const call = { operation: 'editDevice', deviceId: iccid };
    const { effectiveDate, status, ...rest } = fields;
    const body: JasperDeviceEditRequest = Object.fromEntries(
      Object.entries(rest).filter(([, v]) => v !== undefined),
    );
    if (status !== undefined) body.status = normaliseJasperStatus(status);
    if (effectiveDate !== undefined)
      body.effectiveDate =
        effectiveDate instanceof Date ? effectiveDate.toISOString() : effectiveDate;
    const editable = Object.keys(body).filter((k) => k !== 'effectiveDate');
    if (editable.length === 0)
      return Promise.reject(errors.invalidRequest(call, 'an edit needs at least one field'));
    return run(
      call,
      { method: 'PUT', path: pathOf(paths.device, iccid), json: body },
      (res) => {
        const parsed = jasperEditResponseSchema.safeParse(res.json);
        if (!parsed.success)
          throw errors.fromResponse(res, call, 'edit response has an unexpected shape');
        if (parsed.data.errorCode !== undefined) throw errors.fromResponse(res, call);
        const echoed = parsed.data.iccid?.trim() ?? '';
        if (echoed === '')
          throw errors.fromResponse(
            res,
            call,
            `device status for ${iccid} not updated: no iccid in the response`,
          );
        return { iccid: echoed, scheduled: res.status === 202, sent: body };
      },
      opts.signal,
    );
  };

  const verifyFieldEdit: JasperClient['verifyFieldEdit'] = async (iccid, query, opts = {}) => {
    const since = sinceMs(query.since);
    const days =
      query.daysOfHistory ??
      (since === undefined
        ? JASPER_AUDIT_LIMITS.defaultDays
        : Math.min(
            JASPER_AUDIT_LIMITS.maxDays,
            Math.max(1, Math.ceil((Date.now() - since) / DAY_MS) + 1),
          ));
    const message =
      query.field === usernameTargetField
        ? (q: JasperFieldEditQuery) => pod19UsernameFailureMessage(q.value)
        : undefined;
    const records = iterateAuditTrail(
      iccid,
      { daysOfHistory: days, maxPages: query.maxPages },
      opts,
    );
    for await (const record of records) {
      if (isBefore(record, since)) break;
      const verdict = judgeFieldEdit([record], query, message);
      if (verdict.outcome !== 'not-found-yet' || verdict.record !== undefined) return verdict;
    }
    return { outcome: 'not-found-yet' };
  };

  return {
    usernameTargetField,
    getDevice(iccid, opts = {}) {
      const call = { operation: 'getDevice', deviceId: iccid };
      return run(
        call,
        { method: 'GET', path: pathOf(paths.device, iccid) },
        (res) => parse(jasperDeviceSchema, res, call, 'device details') as JasperDevice,
        opts.signal,
      );
    },
    editDevice,
    async readUsername(iccid, opts = {}) {
      const call = { operation: 'getDevice', deviceId: iccid };
      const device = await run(
        call,
        { method: 'GET', path: pathOf(paths.device, iccid) },
        (res) => parse(jasperDeviceSchema, res, call, 'device details') as JasperDevice,
        opts.signal,
      );
      const value = (device as Record<string, unknown>)[usernameTargetField];
      return typeof value === 'string' && value.trim() !== '' ? value : null;
    },
    setUsername(iccid, username, opts) {
      return editDevice(iccid, { [usernameTargetField]: username } as JasperDeviceEdit, opts);
    },
    getAuditTrail,
    iterateAuditTrail,
    verifyFieldEdit,
    verifyUsernameEdit(iccid, username, since, opts) {
      return verifyFieldEdit(iccid, { field: usernameTargetField, value: username, since }, opts);
    },
    normaliseStatus: normaliseJasperStatus,
    searchDevices(query, opts = {}) {
      const call = { operation: 'searchDevices' };
      const iso = (d: Date | string) =>
        d instanceof Date ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : d;
      return run(
        call,
        {
          method: 'GET',
          path: paths.search,
          query: {
            modifiedSince: iso(query.modifiedSince),
            modifiedTill: query.modifiedTill === undefined ? undefined : iso(query.modifiedTill),
            status: query.status === undefined ? undefined : normaliseJasperStatus(query.status),
            pageSize: query.pageSize,
            pageNumber: query.pageNumber,
          },
        },
        (res) => parse(jasperSearchResponseSchema, res, call, 'device search') as JasperSearchPage,
        opts.signal,
      );
    },
  };
}
