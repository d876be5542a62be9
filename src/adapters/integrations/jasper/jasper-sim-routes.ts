/**
 * Vendor routes of the Control Center simulator (below `/rws/api/{apiVersion}`, the path of
 * `DEFAULT_DEMO_BASE_URLS.jasper`):
 *
 * - `GET  /rws/api/v1/devices/{iccid}` — Get Device Details
 * - `PUT  /rws/api/v1/devices/{iccid}` — Edit Device Details (200 `{iccid}`, 202 scheduled)
 * - `GET  /rws/api/v1/devices/{iccid}/auditTrails?daysOfHistory=&pageSize=&pageNumber=`
 * - `GET  /rws/api/v1/devices?modifiedSince=…` — Search Devices
 *
 * A device is visible only to its own account (others get 404). The apiVersion must be `v1`.
 */
import type {
  SimContext,
  SimRequest,
  SimResponse,
  SimRoute,
} from '../shared/simulator/simulator-server.ts';
import {
  applyChanges,
  failChanges,
  scheduleChanges,
  settle,
  validateEdit,
  vendorError,
} from './jasper-sim-rules.ts';
import {
  DEVICE_FIELD_ORDER,
  type JasperSimDevice,
  type JasperSimState,
} from './jasper-sim-state.ts';
import {
  formatJasperDate,
  JASPER_AUDIT_LIMITS,
  JASPER_ERROR_CODES,
  normaliseJasperStatus,
  parseJasperDate,
} from './jasper-wire.ts';

/** Route prefix; `:version` is checked to be `v1`. */
export const JASPER_SIM_PREFIX = '/rws/api/:version';

const DAY_MS = 86_400_000;
type Ctx = SimContext<JasperSimState>;

/** The wire view of a device (DeviceDetails, vendor field order). */
export function deviceView(device: JasperSimDevice): Record<string, string | null> {
  return Object.fromEntries(DEVICE_FIELD_ORDER.map((k) => [k, device.fields[k] ?? null]));
}

/** Wraps a handler with the apiVersion check, scheduled-edit settling and device lookup. */
function onDevice(
  handle: (req: SimRequest, ctx: Ctx, iccid: string, device: JasperSimDevice) => SimResponse,
): (req: SimRequest, ctx: Ctx) => SimResponse {
  return (req, ctx) =>
    withVersion(req, ctx, () => {
      const iccid = req.params.iccid ?? '';
      const device = ctx.state.devices.get(iccid);
      if (device === undefined || device.account !== ctx.account)
        return vendorError(
          404,
          JASPER_ERROR_CODES.resourceNotFound,
          'Resource not found - Invalid ICCID.',
        );
      return handle(req, ctx, iccid, device);
    });
}

function withVersion(req: SimRequest, ctx: Ctx, next: () => SimResponse): SimResponse {
  if (req.params.version !== 'v1')
    return vendorError(400, JASPER_ERROR_CODES.invalidApiVersion, 'Invalid apiVersion.');
  settle(ctx.state, ctx.now);
  return next();
}

/** Integer query parameter in [min, max]; undefined when invalid. */
function intParam(req: SimRequest, name: string, fallback: number, min: number, max: number) {
  const raw = req.query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) return undefined;
  const value = Number(raw);
  return value >= min && value <= max ? value : undefined;
}

/** A share of edits chosen by id list or seeded probability (no PRNG draw at probability 0). */
function picked(iccids: readonly string[], probability: number, iccid: string, ctx: Ctx): boolean {
  if (iccids.includes(iccid)) return true;
  return probability > 0 && ctx.random.next() < probability;
}

const editDevice = onDevice((req, ctx, iccid, device) => {
  const state = ctx.state;
  const account = state.accounts.get(device.account);
  if (account === undefined)
    return vendorError(500, JASPER_ERROR_CODES.serverError, 'Internal error.');
  const edit = validateEdit(req.rawBody, req.body, device, account, state, ctx.now);
  if ('status' in edit) return edit;
  const controls = state.controls;
  if (edit.effectiveAt !== undefined) {
    scheduleChanges(
      state,
      iccid,
      device,
      { ...edit, effectiveAt: edit.effectiveAt },
      account.username,
      ctx.now,
    );
    return { status: 202, json: { iccid } };
  }
  if (picked(controls.auditErrorIccids, controls.auditErrorProbability, iccid, ctx)) {
    failChanges(state, iccid, device, edit.changes, account.username, ctx.now);
    return { status: 200, json: { iccid } };
  }
  applyChanges(state, iccid, device, edit.changes, account.username, ctx.now);
  if (picked(controls.missingIccidIccids, controls.missingIccidProbability, iccid, ctx))
    return { status: 200, json: {} };
  return { status: 200, json: { iccid } };
});

const auditTrail = onDevice((req, ctx, iccid) => {
  const days = intParam(
    req,
    'daysOfHistory',
    JASPER_AUDIT_LIMITS.defaultDays,
    1,
    JASPER_AUDIT_LIMITS.maxDays,
  );
  const pageSize = intParam(
    req,
    'pageSize',
    JASPER_AUDIT_LIMITS.maxPageSize,
    1,
    JASPER_AUDIT_LIMITS.maxPageSize,
  );
  const pageNumber = intParam(req, 'pageNumber', 1, 1, Number.MAX_SAFE_INTEGER);
  if (days === undefined)
    return vendorError(400, JASPER_ERROR_CODES.invalidRequest, 'daysOfHistory must be 1 to 365.');
  if (pageSize === undefined)
    return vendorError(400, JASPER_ERROR_CODES.invalidRequest, 'pageSize must be 1 to 50.');
  if (pageNumber === undefined)
    return vendorError(400, JASPER_ERROR_CODES.invalidRequest, 'pageNumber must be 1 or more.');
  const from = ctx.now - days * DAY_MS;
  const visible = (ctx.state.audit.get(iccid) ?? [])
    .filter((r) => r.visibleAt <= ctx.now && (parseJasperDate(r.effectiveDate) ?? ctx.now) >= from)
    .sort((a, b) => b.seq - a.seq);
  const start = (pageNumber - 1) * pageSize;
  return {
    status: 200,
    json: {
      iccid,
      timestamp: formatJasperDate(ctx.now),
      pageNumber,
      lastPage: start + pageSize >= visible.length,
      deviceAuditTrails: visible.slice(start, start + pageSize).map((r) => ({
        field: r.field,
        priorValue: r.priorValue,
        value: r.value,
        effectiveDate: r.effectiveDate,
        status: r.status,
        userName: r.userName,
        ipAddress: r.ipAddress,
        delegatedUser: r.delegatedUser,
      })),
    },
  };
});

function searchDevices(req: SimRequest, ctx: Ctx): SimResponse {
  return withVersion(req, ctx, () => {
    const sinceRaw = req.query.get('modifiedSince');
    if (sinceRaw === null || sinceRaw === '')
      return vendorError(400, JASPER_ERROR_CODES.missingParameter, 'ModifiedSince is required.');
    const since = parseJasperDate(sinceRaw);
    const tillRaw = req.query.get('modifiedTill');
    const till = tillRaw === null ? undefined : parseJasperDate(tillRaw);
    if (since === undefined || (tillRaw !== null && till === undefined))
      return vendorError(
        400,
        JASPER_ERROR_CODES.invalidRequest,
        'Dates must be yyyy-MM-ddTHH:mm:ssZ.',
      );
    const pageSize = intParam(
      req,
      'pageSize',
      JASPER_AUDIT_LIMITS.maxPageSize,
      1,
      JASPER_AUDIT_LIMITS.maxPageSize,
    );
    const pageNumber = intParam(req, 'pageNumber', 1, 1, Number.MAX_SAFE_INTEGER);
    if (pageSize === undefined || pageNumber === undefined)
      return vendorError(400, JASPER_ERROR_CODES.invalidRequest, 'pageSize must be 1 to 50.');
    const status = req.query.get('status');
    const matches = [...ctx.state.devices.values()]
      .filter((d) => d.account === ctx.account)
      .map((d) => ({ d, at: parseJasperDate(d.fields.dateUpdated) ?? 0 }))
      .filter(
        ({ d, at }) =>
          at >= since &&
          (till === undefined || at <= till) &&
          (status === null || d.fields.status === normaliseJasperStatus(status)),
      )
      .sort(
        (a, b) => a.at - b.at || String(a.d.fields.iccid).localeCompare(String(b.d.fields.iccid)),
      );
    const start = (pageNumber - 1) * pageSize;
    return {
      status: 200,
      json: {
        pageNumber,
        lastPage: start + pageSize >= matches.length,
        devices: matches.slice(start, start + pageSize).map(({ d }) => ({
          iccid: d.fields.iccid,
          status: d.fields.status,
          ratePlan: d.fields.ratePlan,
          communicationPlan: d.fields.communicationPlan,
        })),
      },
    };
  });
}

/** The vendor routes. */
export const jasperSimRoutes: SimRoute<JasperSimState>[] = [
  {
    method: 'GET',
    path: `${JASPER_SIM_PREFIX}/devices`,
    operation: 'searchDevices',
    handle: searchDevices,
  },
  {
    method: 'GET',
    path: `${JASPER_SIM_PREFIX}/devices/:iccid/auditTrails`,
    operation: 'getAuditTrail',
    handle: auditTrail,
  },
  {
    method: 'GET',
    path: `${JASPER_SIM_PREFIX}/devices/:iccid`,
    operation: 'getDevice',
    handle: onDevice((_req, _ctx, _iccid, device) => ({ status: 200, json: deviceView(device) })),
  },
  {
    method: 'PUT',
    path: `${JASPER_SIM_PREFIX}/devices/:iccid`,
    operation: 'editDevice',
    handle: editDevice,
  },
];
