/**
 * ChangeICCIDAndIMEI on Telegence (AT&T Mobility), original-system.md §3.4.1: the subscriber
 * PATCH with the new `sim` and/or `IMEI` (plus `reasonCode`, `serviceZipCode`,
 * `technologyType`), then the device's identifiers in the device database with history, and
 * optionally its customer rate plan / pool (`AddCustomerRatePlan`), as the original did.
 *
 * The eSIM-required answer (404 `/service/` to a request carrying a new ICCID) fails the device
 * with exactly "Telegence: ICCID/IMEI swap failed. Device requires an eSIM profile." and a
 * "Change Equipment - eSIM Required" log row. A new ICCID already held by another device of the
 * service provider is refused before any call (the device database could not take it).
 */
import { changeIccidAndImeiSchema } from '../../domain/change-types/change-iccid-and-imei.ts';
import { ErrorCode, isAppError } from '../../domain/errors.ts';
import { Integration } from '../../domain/integrations.ts';
import type { ChangeHandler } from '../engine/change-handler.ts';
import type { CarrierGateways } from '../ports/carrier-gateways.ts';
import type { TelegenceStore } from '../ports/telegence-store.ts';
import { apiLog, preflightFailure, readRequest, subscriberOf } from './telegence-common.ts';

const DESCRIPTION = 'Update Telegence Subscriber';

/** The original's status text for a swap refused because the device needs an eSIM profile. */
export const ESIM_REQUIRED_DETAILS =
  'Telegence: ICCID/IMEI swap failed. Device requires an eSIM profile.';

/** Reason code sent when the request gives none (the one AT&T customers' scripts use). */
export const DEFAULT_SWAP_REASON_CODE = 'CUST_OWN_EQU';

/**
 * Creates the handler.
 *
 * @example
 * createHandlerRegistry([createTelegenceChangeEquipmentHandler({ gateways, telegenceStore })]);
 */
export function createTelegenceChangeEquipmentHandler(deps: {
  gateways: CarrierGateways;
  telegenceStore: Pick<
    TelegenceStore,
    'getDevice' | 'findDeviceIdByIccid' | 'customerRatePlanExists' | 'customerRatePoolExists'
  >;
}): ChangeHandler {
  return {
    changeType: 'ChangeICCIDAndIMEI',
    integrations: [Integration.Telegence],
    writes: true,
    description: DESCRIPTION,
    async handle(ctx) {
      const read = readRequest(changeIccidAndImeiSchema, ctx.request);
      if (!read.ok) return preflightFailure(ctx, DESCRIPTION, read.error);
      const request = read.value;
      const deviceId = ctx.change.deviceId;
      const device = deviceId === null ? undefined : await deps.telegenceStore.getDevice(deviceId);
      const msisdn = subscriberOf(ctx, device);
      if (msisdn === undefined) {
        return preflightFailure(
          ctx,
          DESCRIPTION,
          `Device ${ctx.change.identifier} has no MSISDN: Telegence swaps equipment by subscriber number`,
        );
      }
      const newIccid = request.NewICCID;
      const newImei = request.NewIMEI;
      if (newIccid !== undefined && deviceId !== null) {
        const holder = await deps.telegenceStore.findDeviceIdByIccid(
          ctx.serviceProvider.id,
          newIccid,
          deviceId,
        );
        if (holder !== undefined) {
          return preflightFailure(
            ctx,
            DESCRIPTION,
            `NewICCID ${newIccid} already belongs to another device of service provider ${ctx.serviceProvider.name}`,
          );
        }
      }
      const swap = {
        ...(newIccid === undefined ? {} : { iccid: newIccid }),
        ...(newImei === undefined ? {} : { imei: newImei }),
        reasonCode: request.ReasonCode ?? DEFAULT_SWAP_REASON_CODE,
        ...(request.ServiceZipCode === undefined ? {} : { serviceZipCode: request.ServiceZipCode }),
        ...(request.TechnologyType === undefined ? {} : { technologyType: request.TechnologyType }),
      };
      const telegence = deps.gateways.telegence(ctx.serviceProvider);
      try {
        await ctx.step(
          'telegence.swapEquipment',
          {
            idempotent: true,
            log: (outcome) =>
              apiLog(
                `${DESCRIPTION}: Telegence API`,
                { subscriberNumber: msisdn, ...swap },
                outcome,
              ),
          },
          () => telegence.swapEquipment(msisdn, swap, { signal: ctx.signal }),
        );
      } catch (error) {
        if (!isAppError(error, ErrorCode.INTEGRATION_ESIM_REQUIRED) || newIccid === undefined) {
          throw error;
        }
        ctx.log({
          description: 'Change Equipment - eSIM Required',
          hasErrors: true,
          errorText: ESIM_REQUIRED_DETAILS,
          responseStatus: 'API_FAILED',
        });
        return { kind: 'failed', details: ESIM_REQUIRED_DETAILS, error: ESIM_REQUIRED_DETAILS };
      }

      const changes: Record<string, string | number | null> = {
        ...(newIccid === undefined ? {} : { iccid: newIccid }),
        ...(newImei === undefined ? {} : { imei: newImei }),
      };
      const notes: string[] = [];
      if (request.AddCustomerRatePlan) {
        const tenantId = ctx.bulkChange.tenantId;
        const missing: string[] = [];
        const plan = request.CustomerRatePlan;
        const pool = request.CustomerRatePool;
        if (plan !== undefined) {
          if (await deps.telegenceStore.customerRatePlanExists(tenantId, plan)) {
            changes.customer_rate_plan_id = plan;
          } else missing.push(`customer rate plan ${plan} does not exist`);
        }
        if (pool !== undefined) {
          if (await deps.telegenceStore.customerRatePoolExists(tenantId, pool)) {
            changes.customer_rate_pool_id = pool;
          } else missing.push(`customer rate pool ${pool} does not exist`);
        }
        ctx.log({
          description: 'Associate Customer: Update AMOP Customer Rate Plan',
          requestText: JSON.stringify({
            customerRatePlan: plan ?? null,
            customerRatePool: pool ?? null,
          }),
          responseStatus: missing.length === 0 ? 'PROCESSED' : 'ERROR',
          hasErrors: missing.length > 0,
          ...(missing.length === 0 ? {} : { errorText: missing.join('; ') }),
        });
        if (missing.length > 0) {
          notes.push(`Customer Rate Plan/Pool not set: ${missing.join('; ')}`);
        }
      }
      ctx.log({
        description: `${DESCRIPTION}: AMOP Update`,
        requestText: JSON.stringify({ msisdn, ...changes }),
        responseStatus: 'PROCESSED',
        hasErrors: false,
      });
      const what = [
        newIccid === undefined ? undefined : `ICCID ${newIccid}`,
        newImei === undefined ? undefined : `IMEI ${newImei}`,
      ].filter((s) => s !== undefined);
      return {
        kind: 'succeeded',
        details: [`Telegence equipment changed for ${msisdn}: ${what.join(', ')}`, ...notes].join(
          '. ',
        ),
        ...(deviceId === null ? {} : { deviceUpdate: { deviceId, changes } }),
      };
    },
  };
}
