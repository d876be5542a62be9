/**
 * What the Telegence handlers read and write beyond the engine store: the device row, the
 * device status a request targets, customer rate plans/pools, and the activation batches of
 * a StatusUpdate (several device changes sent in one activation request).
 *
 * Activation batches (migration 0007): the first activation device change of a bulk change
 * that runs without a batch creates one holding itself (its *leader*) and up to 199 other open,
 * not yet batched device changes of the bulk change. Only the leader sends the batch; the
 * others wait for its submission and then check their own line. Implemented over kysely in
 * `adapters/db/telegence-store.ts`.
 */

/** A device row as the Telegence handlers need it. */
export interface TelegenceDeviceRow {
  id: number;
  status: string;
  iccid: string | null;
  imei: string | null;
  msisdn: string | null;
}

/** One device change of an activation batch. */
export interface ActivationBatchMember {
  deviceChangeId: number;
  deviceId: number | null;
  /** ICCID of the device change (else of its device). */
  iccid: string | null;
  /** IMEI of the device. */
  imei: string | null;
  /** Device status in the device database (null without a device row). */
  deviceStatus: string | null;
  /** Per-device fields of the device change. */
  changeRequest: Record<string, unknown> | null;
}

/** What was sent for a batch and what the carrier answered (stored once submitted). */
export interface ActivationBatchSubmission {
  /** Activation id to check; absent when the submission was confirmed through the device list. */
  activationId?: string;
  confirmedByLookup: boolean;
  /** The request failed ambiguously and nothing showed it accepted (never sent again). */
  unconfirmed?: boolean;
  /** Device changes whose record was sent, with the SIM sent for each. */
  sent: Array<{ deviceChangeId: number; iccid: string }>;
  /** Device changes left out of the request, with the reason. */
  excluded: Array<{ deviceChangeId: number; error: string }>;
  /** When the request was sent (ISO); the first status check is due an interval later. */
  submittedAt: string;
}

/** An activation batch (its members are read separately, by the leader only). */
export interface ActivationBatch {
  id: number;
  leaderDeviceChangeId: number;
  submission: ActivationBatchSubmission | null;
  /** The batch could not be submitted (terminal). */
  failedError: string | null;
  /** Sends that failed without reaching the carrier (the next send is a new step). */
  sendFailures: number;
  /** Status and last error of the leader's device change. */
  leader: { status: string; lastError: string | null };
}

/** Persistence used by the Telegence handlers. */
export interface TelegenceStore {
  getDevice(deviceId: number): Promise<TelegenceDeviceRow | undefined>;
  /** Another device of the service provider with this ICCID, if any. */
  findDeviceIdByIccid(
    serviceProviderId: number,
    iccid: string,
    exceptDeviceId: number,
  ): Promise<number | undefined>;
  /** A device status of the integration by id (`device_statuses`). */
  findDeviceStatus(
    integration: string,
    statusId: number,
  ): Promise<{ id: number; status: string } | undefined>;
  customerRatePlanExists(tenantId: number, id: number): Promise<boolean>;
  customerRatePoolExists(tenantId: number, id: number): Promise<boolean>;
  /**
   * The activation batch of a device change; when it has none, creates one led by it with up
   * to `maxSize` open, not yet batched device changes of the bulk change (itself included).
   */
  activationBatchOf(
    bulkChangeId: number,
    deviceChangeId: number,
    maxSize: number,
  ): Promise<ActivationBatch>;
  /** The device changes of a batch, in id order. */
  activationBatchMembers(batchId: number): Promise<ActivationBatchMember[]>;
  /** Records the batch's submission (idempotent: a later call with the same value is harmless). */
  recordBatchSubmission(batchId: number, submission: ActivationBatchSubmission): Promise<void>;
  /** Counts a send that failed without reaching the carrier. */
  recordBatchSendFailure(batchId: number): Promise<void>;
  /** Records that the batch cannot be submitted. */
  recordBatchFailure(batchId: number, error: string): Promise<void>;
}
