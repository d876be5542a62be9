/**
 * StatusUpdate on Telegence (AT&T Mobility), original-system.md §3.2.3:
 *
 * | `UpdateStatus` (any case)                           | carrier call                                   |
 * |-----------------------------------------------------|------------------------------------------------|
 * | `A`, `Active`, `Activate`, `Activated`              | batched activation + status checks (telegence-activation.ts) |
 * | `S`, `Suspend`, `Suspended`                         | subscriber PATCH `mode: S`                      |
 * | `R`, `Restore`, `Restored`, `Resume`                | subscriber PATCH `mode: R`                      |
 * | `C`, `Cancel`, `Cancelled`, `Canceled`, `Deactivate`, `Deactivated` | subscriber PATCH `mode: C`      |
 *
 * PATCHes carry `Request.reasonCode` (required: the reason code of the target status) and
 * `Request.effectiveDate` when given; activations take `Request` as the activation record
 * template (`billingAccount`, `relatedParty`, `service`), the device's SIM and IMEI filled in.
 * On success the device's status in the device database becomes the status of
 * `PostUpdateStatusId` (a Telegence `device_statuses` row), else the action's own status
 * (`A`, `S`, `C`).
 *
 * The original's optional Rev.io steps after a successful status change (create the Rev.io
 * service, attach the Rev.io customer) run in {@link TelegenceStatusUpdateDeps.afterStatusChange},
 * the one place they belong; this handler does not provide them.
 */
import {
  type StatusUpdateRequest,
  statusUpdateSchema,
} from '../../domain/change-types/status-update.ts';
import { Integration } from '../../domain/integrations.ts';
import type { ChangeHandler, HandlerContext } from '../engine/change-handler.ts';
import type { CarrierGateways } from '../ports/carrier-gateways.ts';
import type { TelegenceStore } from '../ports/telegence-store.ts';
import {
  type ActivationTiming,
  createActivationRunner,
  DEFAULT_ACTIVATION_TIMING,
} from './telegence-activation.ts';
import { apiLog, preflightFailure, readRequest, subscriberOf } from './telegence-common.ts';

const DESCRIPTION = 'Telegence Status Update';

/** What a StatusUpdate does on Telegence. */
export type TelegenceStatusAction = 'activate' | 'suspend' | 'restore' | 'cancel';

const ACTIONS: Readonly<Record<string, TelegenceStatusAction>> = {
  a: 'activate',
  active: 'activate',
  activate: 'activate',
  activated: 'activate',
  s: 'suspend',
  suspend: 'suspend',
  suspended: 'suspend',
  r: 'restore',
  restore: 'restore',
  restored: 'restore',
  resume: 'restore',
  c: 'cancel',
  cancel: 'cancel',
  cancelled: 'cancel',
  canceled: 'cancel',
  deactivate: 'cancel',
  deactivated: 'cancel',
};

/** Device status after each action when the request names none. */
const STATUS_AFTER: Readonly<Record<TelegenceStatusAction, string>> = {
  activate: 'A',
  restore: 'A',
  suspend: 'S',
  cancel: 'C',
};

/** Maps `UpdateStatus` to an action (undefined when Telegence has none for it). */
export function telegenceStatusAction(updateStatus: string): TelegenceStatusAction | undefined {
  return ACTIONS[updateStatus.trim().toLowerCase()];
}

/** A successful status change, as the post-status steps see it. */
export interface CompletedStatusChange {
  action: TelegenceStatusAction;
  /** Status now in the device database. */
  deviceStatus: string;
  /** The line's subscriber number (the new one after an activation), when known. */
  msisdn: string | undefined;
  request: StatusUpdateRequest;
}

/** Dependencies of the handler. */
export interface TelegenceStatusUpdateDeps {
  gateways: CarrierGateways;
  telegenceStore: TelegenceStore;
  /** Activation timing. @default DEFAULT_ACTIVATION_TIMING */
  activation?: Partial<ActivationTiming>;
  /**
   * Runs after each successful status change: the place for the original's Rev.io steps
   * (create the Rev.io service and its products, attach the Rev.io customer). Returns notes
   * added to the device change's details (`status-revio-steps.ts`; none when absent).
   */
  afterStatusChange?: (ctx: HandlerContext, change: CompletedStatusChange) => Promise<string[]>;
}

/**
 * Creates the handler.
 *
 * @example
 * createHandlerRegistry([createTelegenceStatusUpdateHandler({ gateways, telegenceStore })]);
 */
export function createTelegenceStatusUpdateHandler(deps: TelegenceStatusUpdateDeps): ChangeHandler {
  const activate = createActivationRunner(deps, {
    ...DEFAULT_ACTIVATION_TIMING,
    ...deps.activation,
  });

  const afterSuccess = async (
    ctx: HandlerContext,
    change: CompletedStatusChange,
  ): Promise<string[]> => {
    return deps.afterStatusChange === undefined ? [] : deps.afterStatusChange(ctx, change);
  };

  return {
    changeType: 'StatusUpdate',
    integrations: [Integration.Telegence],
    writes: true,
    description: DESCRIPTION,
    async handle(ctx) {
      const read = readRequest(statusUpdateSchema, ctx.request);
      if (!read.ok) return preflightFailure(ctx, DESCRIPTION, read.error);
      const request = read.value;
      const action = telegenceStatusAction(request.UpdateStatus);
      if (action === undefined) {
        return preflightFailure(
          ctx,
          DESCRIPTION,
          `UpdateStatus "${request.UpdateStatus}" is not a Telegence status change (use Active, Suspend, Restore or Cancel)`,
        );
      }
      let targetStatus = STATUS_AFTER[action];
      if (request.PostUpdateStatusId !== undefined) {
        const status = await deps.telegenceStore.findDeviceStatus(
          Integration.Telegence,
          request.PostUpdateStatusId,
        );
        if (status === undefined) {
          return preflightFailure(
            ctx,
            DESCRIPTION,
            `PostUpdateStatusId ${request.PostUpdateStatusId} is not a Telegence device status`,
          );
        }
        targetStatus = status.status;
      }
      const gateway = deps.gateways.telegence(ctx.serviceProvider);
      if (action === 'activate') {
        return activate(ctx, gateway, {
          targetStatus,
          afterSuccess: (msisdn) =>
            afterSuccess(ctx, { action, deviceStatus: targetStatus, msisdn, request }),
        });
      }

      const carrierRequest = (request.Request ?? {}) as Record<string, unknown>;
      const reasonCode = carrierRequest.reasonCode;
      if (typeof reasonCode !== 'string' || reasonCode.trim() === '') {
        return preflightFailure(
          ctx,
          DESCRIPTION,
          `Request.reasonCode is required to ${action} a Telegence line (the reason code of the target status)`,
        );
      }
      const effectiveDate =
        typeof carrierRequest.effectiveDate === 'string' && carrierRequest.effectiveDate !== ''
          ? carrierRequest.effectiveDate
          : undefined;
      const device =
        ctx.change.deviceId === null
          ? undefined
          : await deps.telegenceStore.getDevice(ctx.change.deviceId);
      const msisdn = subscriberOf(ctx, device);
      if (msisdn === undefined) {
        return preflightFailure(
          ctx,
          DESCRIPTION,
          `Device ${ctx.change.identifier} has no MSISDN: Telegence changes a line's status by subscriber number`,
        );
      }
      const change = {
        action,
        reasonCode: reasonCode.trim(),
        ...(effectiveDate === undefined ? {} : { effectiveDate }),
      };
      const lineStatus = STATUS_AFTER[action];
      await ctx.step(
        'telegence.changeStatus',
        {
          idempotent: false,
          // An attempt that died mid-call: the line shows whether the change was applied.
          lookup: async () => {
            const line = await gateway.getLine(msisdn, { signal: ctx.signal });
            return line.status === lineStatus
              ? { subscriberNumber: line.subscriberNumber, confirmedByLookup: true }
              : undefined;
          },
          log: (outcome) =>
            apiLog(
              'Update Telegence Subscriber: Telegence API',
              { subscriberNumber: msisdn, ...change },
              outcome,
            ),
        },
        () => gateway.changeStatus(msisdn, change, { signal: ctx.signal }),
      );
      const notes = await afterSuccess(ctx, {
        action,
        deviceStatus: targetStatus,
        msisdn,
        request,
      });
      return {
        kind: 'succeeded',
        details: [
          `Telegence line ${msisdn}: ${action} accepted (status ${targetStatus})`,
          ...notes,
        ].join('. '),
        ...(ctx.change.deviceId === null
          ? {}
          : { deviceUpdate: { deviceId: ctx.change.deviceId, changes: { status: targetStatus } } }),
      };
    },
  };
}
