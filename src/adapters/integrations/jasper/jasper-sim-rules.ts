/**
 * Business rules of the Control Center simulator: what an edit may change (§1.3, §1.4),
 * how it is applied, how the audit trail records it, and scheduled edits.
 *
 * Status rules (§1.4): the standard statuses only (operators' custom ones are not simulated);
 * a SIM that has been activated may not go back to ACTIVATION_READY / TEST_READY
 * (`10000029`); activating an ACTIVATED SIM is rejected (`10030000`); INVENTORY is reachable
 * only from PURGED, otherwise the answer is 202 with `1000512` and nothing changes.
 */
import type { SimResponse } from '../shared/simulator/simulator-server.ts';
import type {
  JasperSimAccount,
  JasperSimAuditRecord,
  JasperSimDevice,
  JasperSimState,
} from './jasper-sim-state.ts';
import {
  formatJasperDate,
  JASPER_ERROR_CODES,
  JASPER_STATUSES,
  type JasperDeviceEditRequest,
  jasperDeviceEditSchema,
  normaliseJasperStatus,
  parseJasperDate,
} from './jasper-wire.ts';

const DAY_MS = 86_400_000;
const MAX_SCHEDULE_MS = 180 * DAY_MS;
const PRE_ACTIVATION = new Set(['ACTIVATION_READY', 'TEST_READY']);
/** Edit-model fields stored under another DeviceDetails name. */
const STORED_AS: Record<string, string> = {
  ipv4Address: 'fixedIPAddress',
  ipv6Address: 'fixedIpv6Address',
};
const NOT_STORED = new Set(['effectiveDate', 'apn', 'pdpId']);

/** A vendor-shaped error answer. */
export function vendorError(status: number, code: string, message: string): SimResponse {
  return { status, json: { errorMessage: message, errorCode: code } };
}

/** A validated edit: the field changes and when they take effect. */
export interface ValidEdit {
  changes: Array<{ field: string; value: string }>;
  /** Undefined = now. */
  effectiveAt: number | undefined;
}

/** Validates an edit body against the device and account, or answers the vendor's error. */
export function validateEdit(
  rawBody: string,
  body: unknown,
  device: JasperSimDevice,
  account: JasperSimAccount,
  state: JasperSimState,
  now: number,
): ValidEdit | SimResponse {
  if (rawBody.trim() !== '' && body === undefined)
    return vendorError(400, JASPER_ERROR_CODES.invalidRequest, 'Request body is not valid JSON.');
  const parsed = jasperDeviceEditSchema.safeParse(body ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where =
      issue?.path.join('.') || (issue?.code === 'unrecognized_keys' ? issue.keys.join(', ') : '');
    return vendorError(
      400,
      JASPER_ERROR_CODES.invalidRequest,
      `Invalid request: ${where} ${issue?.message ?? ''}`.trim(),
    );
  }
  const edit: JasperDeviceEditRequest = parsed.data;
  const changes = Object.entries(edit)
    .filter(([k, v]) => !NOT_STORED.has(k) && v !== undefined)
    .map(([field, value]) => ({ field: STORED_AS[field] ?? field, value: String(value) }));
  if (changes.length === 0)
    return vendorError(
      400,
      JASPER_ERROR_CODES.missingParameter,
      'At least one editable field is required.',
    );
  if (
    (edit.ipv4Address ?? edit.ipv6Address) !== undefined &&
    (edit.apn === undefined || edit.pdpId === undefined)
  )
    return vendorError(
      400,
      JASPER_ERROR_CODES.missingParameter,
      'apn and pdpId are required with an IP address.',
    );

  let effectiveAt: number | undefined;
  if (edit.effectiveDate !== undefined) {
    const at = parseJasperDate(edit.effectiveDate);
    if (at === undefined || at > now + MAX_SCHEDULE_MS)
      return vendorError(
        400,
        JASPER_ERROR_CODES.invalidEffectiveDate,
        'effectiveDate must be a date within 180 days.',
      );
    if (at > now) effectiveAt = at;
  }
  if (edit.ratePlan !== undefined && !account.ratePlans.has(edit.ratePlan))
    return vendorError(
      400,
      JASPER_ERROR_CODES.invalidRatePlan,
      `Invalid rate plan: ${edit.ratePlan}.`,
    );
  if (
    edit.communicationPlan !== undefined &&
    !account.communicationPlans.has(edit.communicationPlan)
  )
    return vendorError(
      400,
      JASPER_ERROR_CODES.invalidCommunicationPlan,
      `Invalid communication plan: ${edit.communicationPlan}.`,
    );

  if (edit.status !== undefined) {
    const target = state.controls.strictStatusCase
      ? edit.status
      : normaliseJasperStatus(edit.status);
    if (!(JASPER_STATUSES as readonly string[]).includes(target))
      return vendorError(400, JASPER_ERROR_CODES.invalidStatus, `Invalid status: ${edit.status}.`);
    const current = device.fields.status;
    if (target === 'ACTIVATED' && current === 'ACTIVATED')
      return vendorError(
        400,
        JASPER_ERROR_CODES.alreadyActivated,
        'Cannot activate a SIM which is already activated.',
      );
    if (PRE_ACTIVATION.has(target) && device.everActivated && current !== target)
      return vendorError(
        400,
        JASPER_ERROR_CODES.preActivationNotAllowed,
        'SIM may not be moved back to a pre-activation status.',
      );
    if (target === 'INVENTORY' && current !== 'PURGED' && current !== 'INVENTORY')
      return vendorError(
        202,
        JASPER_ERROR_CODES.notPurged,
        'SIM must be in PURGED status to return to inventory.',
      );
    for (const change of changes) if (change.field === 'status') change.value = target;
  }
  return { changes, effectiveAt };
}

/** Appends an audit record; returns it. */
export function addAudit(
  state: JasperSimState,
  iccid: string,
  record: Omit<JasperSimAuditRecord, 'seq' | 'ipAddress' | 'delegatedUser' | 'visibleAt'>,
  now: number,
): JasperSimAuditRecord {
  state.seq += 1;
  const full: JasperSimAuditRecord = {
    ...record,
    seq: state.seq,
    ipAddress: '127.0.0.1',
    delegatedUser: null,
    visibleAt: now + state.controls.auditLagMs,
  };
  const list = state.audit.get(iccid) ?? [];
  list.push(full);
  state.audit.set(iccid, list);
  return full;
}

/** Applies changes now; records one `Executed` audit record per field whose value changed. */
export function applyChanges(
  state: JasperSimState,
  iccid: string,
  device: JasperSimDevice,
  changes: ValidEdit['changes'],
  userName: string,
  now: number,
): number {
  let changed = 0;
  for (const { field, value } of changes) {
    const prior = device.fields[field] ?? null;
    if (prior === value) continue;
    device.fields[field] = value;
    if (field === 'status' && value === 'ACTIVATED') {
      device.everActivated = true;
      device.fields.dateActivated ??= formatJasperDate(now);
    }
    addAudit(
      state,
      iccid,
      {
        field,
        priorValue: prior,
        value,
        effectiveDate: formatJasperDate(now),
        status: 'Executed',
        userName,
      },
      now,
    );
    changed += 1;
  }
  if (changed > 0) device.fields.dateUpdated = formatJasperDate(now);
  return changed;
}

/** Records an edit accepted but failed: `Error` audit records, nothing applied. */
export function failChanges(
  state: JasperSimState,
  iccid: string,
  device: JasperSimDevice,
  changes: ValidEdit['changes'],
  userName: string,
  now: number,
): void {
  for (const { field, value } of changes) {
    const prior = device.fields[field] ?? null;
    addAudit(
      state,
      iccid,
      {
        field,
        priorValue: prior,
        value,
        effectiveDate: formatJasperDate(now),
        status: 'Error',
        userName,
      },
      now,
    );
  }
}

/** Schedules an edit: `Pending` audit records now, applied by {@link settle} when due. */
export function scheduleChanges(
  state: JasperSimState,
  iccid: string,
  device: JasperSimDevice,
  edit: ValidEdit & { effectiveAt: number },
  userName: string,
  now: number,
): void {
  const changes = edit.changes.map(({ field, value }) => {
    const record = addAudit(
      state,
      iccid,
      {
        field,
        priorValue: device.fields[field] ?? null,
        value,
        effectiveDate: formatJasperDate(edit.effectiveAt),
        status: 'Pending',
        userName,
      },
      now,
    );
    return { field, value, auditSeq: record.seq };
  });
  state.pending.push({ iccid, effectiveAt: edit.effectiveAt, changes });
}

/** Applies every scheduled edit that is due at `now` (called before each request). */
export function settle(state: JasperSimState, now: number): void {
  const due = state.pending.filter((p) => p.effectiveAt <= now);
  if (due.length === 0) return;
  state.pending = state.pending.filter((p) => p.effectiveAt > now);
  for (const edit of due.sort((a, b) => a.effectiveAt - b.effectiveAt)) {
    const device = state.devices.get(edit.iccid);
    if (device === undefined) continue;
    const records = state.audit.get(edit.iccid) ?? [];
    for (const { field, value, auditSeq } of edit.changes) {
      const record = records.find((r) => r.seq === auditSeq);
      if (record !== undefined) {
        record.priorValue = device.fields[field] ?? null;
        record.status = 'Executed';
      }
      device.fields[field] = value;
      if (field === 'status' && value === 'ACTIVATED') device.everActivated = true;
    }
    device.fields.dateUpdated = formatJasperDate(edit.effectiveAt);
  }
}
