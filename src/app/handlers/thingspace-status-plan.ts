/**
 * What a StatusUpdate asks of one ThingSpace device (original-system.md §3.2.2), worked out
 * before any carrier call: the action by target status and `IsIgnoreCurrentStatus`, the
 * identifiers, the activation parameters (service plan checked against the provider's carrier
 * rate plans, MDN ZIP code, primary place of use), the deactivation reason code, and the
 * status the device row takes afterwards (`PostUpdateStatusId`, else the target's own name).
 *
 * | Target | IsIgnoreCurrentStatus false | true |
 * |---|---|---|
 * | pending activation | add (preactive) | activate |
 * | active | add, then activate (activate needs the IMEI too) | activate |
 * | suspend / restore | suspend / restore | same |
 * | deactive | deactivate with `ReasonCode` | same |
 * | inventory | database only | same |
 */
import { statusUpdateSchema } from '../../domain/change-types/status-update.ts';
import { Integration } from '../../domain/integrations.ts';
import { predicateErrorMap, toValidationIssues } from '../../domain/zod-issues.ts';
import type { HandlerContext } from '../engine/change-handler.ts';
import type { ThingSpacePlaceOfUse } from '../ports/carrier-gateways.ts';
import type { DeviceResult, EngineStore } from '../ports/engine-store.ts';

/** Target statuses ThingSpace status updates know (the original's AMOP names). */
export const THINGSPACE_TARGETS = {
  pendingActivation: 'pending activation',
  active: 'active',
  suspend: 'suspend',
  restore: 'restore',
  deactive: 'deactive',
  inventory: 'inventory',
} as const;

/** One target status. */
export type ThingSpaceTarget = (typeof THINGSPACE_TARGETS)[keyof typeof THINGSPACE_TARGETS];

/** Spellings accepted for each target (compared lower-case, spaces and underscores alike). */
const ALIASES: Readonly<Record<string, ThingSpaceTarget>> = {
  'pending activation': 'pending activation',
  pendingactivation: 'pending activation',
  preactive: 'pending activation',
  active: 'active',
  activate: 'active',
  activated: 'active',
  suspend: 'suspend',
  suspended: 'suspend',
  restore: 'restore',
  restored: 'restore',
  resume: 'restore',
  deactive: 'deactive',
  deactivate: 'deactive',
  deactivated: 'deactive',
  inventory: 'inventory',
};

/** Device row status after each target when the request names no `PostUpdateStatusId`. */
const DEFAULT_DEVICE_STATUS: Readonly<Record<ThingSpaceTarget, string>> = {
  'pending activation': 'pending activation',
  active: 'active',
  suspend: 'suspend',
  restore: 'active',
  deactive: 'deactive',
  inventory: 'inventory',
};

/** What to do for one device. */
export interface ThingSpaceStatusPlan {
  target: ThingSpaceTarget;
  /** Add the SIM to the account first. */
  add: boolean;
  /** Then activate it (asynchronous). */
  activate: boolean;
  iccid: string;
  imei: string | null;
  servicePlan: string | undefined;
  mdnZipCode: string | undefined;
  reasonCode: string | undefined;
  placeOfUse: ThingSpacePlaceOfUse | undefined;
  /** `status` of the device row after success. */
  deviceStatus: string;
}

const fail = (message: string): { failed: DeviceResult } => ({
  failed: { kind: 'failed', details: message, error: message },
});

/** Works out the plan, or the reason the device change cannot be attempted. */
export async function planThingSpaceStatus(
  ctx: HandlerContext,
  store: Pick<EngineStore, 'findCarrierRatePlan' | 'findDeviceStatus'>,
): Promise<ThingSpaceStatusPlan | { failed: DeviceResult }> {
  const parsed = statusUpdateSchema.safeParse(ctx.request, { error: predicateErrorMap });
  if (!parsed.success) {
    const issues = toValidationIssues(parsed.error.issues).map((i) => i.message);
    return fail(`Invalid StatusUpdate request: ${issues.join('; ')}`);
  }
  const request = parsed.data;
  const key = request.UpdateStatus.trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ');
  const target = ALIASES[key] ?? ALIASES[key.replace(/ /g, '')];
  if (target === undefined) {
    ctx.log({
      description: 'Update ThingSpace Device Status: General',
      requestText: JSON.stringify({ UpdateStatus: request.UpdateStatus }),
      responseStatus: 'API_FAILED',
      hasErrors: true,
      errorText: 'Unsupported Status',
    });
    return fail(
      `Unsupported Status '${request.UpdateStatus}' for ThingSpace (supported: ${Object.values(THINGSPACE_TARGETS).join(', ')})`,
    );
  }
  const carrier = (request.Request ?? {}) as {
    ICCID?: string;
    IMEI?: string;
    RatePlanCode?: string;
    MdnZipCode?: string;
    ReasonCode?: string;
    thingSpacePPU?: {
      FirstName: string;
      LastName: string;
      AddressLine: string;
      City: string;
      State: string;
      ZipCode: string;
      Country: string;
    };
  };
  const iccid = carrier.ICCID ?? ctx.change.iccid ?? undefined;
  if (iccid === undefined) return fail('Request invalid, missing required information: ICCID');
  const imei = carrier.IMEI ?? ctx.change.imei ?? null;
  const ignore = request.IsIgnoreCurrentStatus;
  const add = !ignore && (target === 'pending activation' || target === 'active');
  const activate =
    (target === 'pending activation' && ignore) ||
    (target === 'active' && (ignore || imei !== null));

  let deviceStatus = DEFAULT_DEVICE_STATUS[target];
  if (target === 'active' && !activate) deviceStatus = DEFAULT_DEVICE_STATUS['pending activation'];
  if (request.PostUpdateStatusId !== undefined) {
    const status = await store.findDeviceStatus(request.PostUpdateStatusId);
    if (status === undefined || status.integration !== Integration.ThingSpace) {
      return fail(
        `PostUpdateStatusId ${request.PostUpdateStatusId} is not a ThingSpace device status`,
      );
    }
    if (activate || target !== 'active') deviceStatus = status.status;
  }

  let servicePlan: string | undefined;
  let mdnZipCode: string | undefined;
  if (activate) {
    servicePlan = carrier.RatePlanCode;
    mdnZipCode = carrier.MdnZipCode;
    const missing = [
      servicePlan === undefined ? 'RatePlanCode' : '',
      mdnZipCode === undefined ? 'MdnZipCode' : '',
    ]
      .filter((m) => m !== '')
      .join(', ');
    if (missing !== '') return fail(`Request invalid, missing required information: ${missing}`);
    const plan = await store.findCarrierRatePlan(ctx.serviceProvider.id, servicePlan as string);
    if (plan === undefined) {
      return fail(
        `Carrier rate plan ${servicePlan} does not exist for service provider ${ctx.serviceProvider.name}`,
      );
    }
  }
  const reasonCode = carrier.ReasonCode;
  if (target === 'deactive' && reasonCode === undefined) {
    return fail('Request invalid, missing required information: ReasonCode (needed to deactivate)');
  }
  const ppu = carrier.thingSpacePPU;
  return {
    target,
    add,
    activate,
    iccid,
    imei,
    servicePlan,
    mdnZipCode,
    reasonCode,
    placeOfUse:
      ppu === undefined
        ? undefined
        : {
            customerName: { firstName: ppu.FirstName, lastName: ppu.LastName },
            address: {
              addressLine1: ppu.AddressLine,
              city: ppu.City,
              state: ppu.State,
              zip: ppu.ZipCode,
              country: ppu.Country,
            },
          },
    deviceStatus,
  };
}
