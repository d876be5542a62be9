/**
 * ChangeICCIDAndIMEI on ThingSpace (original-system.md §3.4.2): the change-identifier action
 * (`change4gOption` `ChangeICCID` for a new SIM, `ChangeIMEI` for new hardware) is sent once,
 * its completion comes by callback or request status (the original re-queued itself every
 * 3 minutes), and then the device's identifier is updated in the database with history.
 * ThingSpace refuses a new identifier it already knows, and completes the change only for an
 * active device; both give clear per-device errors.
 */
import { changeIccidAndImeiSchema } from '../../domain/change-types/change-iccid-and-imei.ts';
import { Integration } from '../../domain/integrations.ts';
import { predicateErrorMap, toValidationIssues } from '../../domain/zod-issues.ts';
import type { ChangeHandler } from '../engine/change-handler.ts';
import type { CarrierGateways, ThingSpaceDeviceRef } from '../ports/carrier-gateways.ts';
import { awaitCompletion, provisioningLog, provisionOnce } from './thingspace-request.ts';

const DESCRIPTION = 'Change ThingSpace Device Identifier';

/**
 * Creates the handler.
 *
 * @example
 * createHandlerRegistry([createThingSpaceChangeIdentifierHandler({ gateways })]);
 */
export function createThingSpaceChangeIdentifierHandler(deps: {
  gateways: CarrierGateways;
}): ChangeHandler {
  return {
    changeType: 'ChangeICCIDAndIMEI',
    integrations: [Integration.ThingSpace],
    writes: true,
    description: DESCRIPTION,
    async handle(ctx) {
      const parsed = changeIccidAndImeiSchema.safeParse(ctx.request, { error: predicateErrorMap });
      if (!parsed.success) {
        const issues = toValidationIssues(parsed.error.issues).map((i) => i.message);
        const message = `Invalid ChangeICCIDAndIMEI request: ${issues.join('; ')}`;
        return { kind: 'failed', details: message, error: message };
      }
      const request = parsed.data;
      const byIccid = request.IdentifierType === 'ICCID';
      const kind: ThingSpaceDeviceRef['kind'] = byIccid ? 'iccid' : 'imei';
      const oldId = byIccid
        ? (request.OldICCID ?? ctx.change.iccid ?? undefined)
        : (request.OldIMEI ?? ctx.change.imei ?? undefined);
      const newId = byIccid ? request.NewICCID : request.NewIMEI;
      if (oldId === undefined || newId === undefined) {
        const message = `The device has no current ${kind.toUpperCase()} to change; give Old${kind.toUpperCase()}`;
        return { kind: 'failed', details: message, error: message };
      }
      const option = byIccid ? 'ChangeICCID' : 'ChangeIMEI';
      const ts = deps.gateways.thingspace(ctx.serviceProvider);
      const body = { option, oldId, newId } as const;
      const sent = await provisionOnce(ctx, ts, {
        step: 'thingspace.changeIdentifier',
        action: 'changeIdentifier',
        // After the change ThingSpace knows the line by its new identifier.
        devices: [
          { id: oldId, kind },
          { id: newId, kind },
        ],
        log: provisioningLog(`${DESCRIPTION}: ThingSpace API`, {
          deviceIds: [{ id: oldId, kind }],
          deviceIdsTo: [{ id: newId, kind }],
          change4gOption: option,
        }),
        send: () => ts.changeIdentifier(body, { signal: ctx.signal }),
      });
      if ('failed' in sent) return sent.failed;
      const done = await awaitCompletion(ctx, ts, {
        phase: 'thingspace:changeIdentifier',
        requestId: sent.requestId,
        description: DESCRIPTION,
      });
      if (done.outcome === 'waiting') return done.result;
      if (done.outcome === 'failure') {
        return { kind: 'failed', details: done.message, error: done.message };
      }
      const field = byIccid ? 'iccid' : 'imei';
      ctx.log({
        description: `${DESCRIPTION}: AMOP Update`,
        requestText: JSON.stringify({ [field]: { previous: oldId, new: newId } }),
        responseStatus: 'PROCESSED',
        hasErrors: false,
      });
      return {
        kind: 'succeeded',
        details: `Device identifier changed successfully: ${kind.toUpperCase()} ${oldId} → ${newId}`,
        ...(ctx.change.deviceId === null
          ? {}
          : { deviceUpdate: { deviceId: ctx.change.deviceId, changes: { [field]: newId } } }),
      };
    },
  };
}
