/**
 * Inputs and results of the ThingSpace client's operations, and the operations' interface.
 */
import type { ProvisioningAccepted } from './thingspace-lookup.ts';
import type {
  Change4gOption,
  PrimaryPlaceOfUse,
  ProvisioningEvent,
  ThingSpaceDevice,
  ThingSpaceDeviceId,
  ThingSpaceRequestStatus,
} from './thingspace-wire.ts';

/** Per-call options of every operation. */
export interface CallOptions {
  signal?: AbortSignal;
}

/** Result of {@link ThingSpaceOperations.addDevice}. */
export interface AddDeviceResult {
  /** `added`, or `already-exists` (the original counts both as success). */
  outcome: 'added' | 'already-exists';
  /** ThingSpace's `response` text. */
  response: string;
}

/** Input of {@link ThingSpaceOperations.activate}. */
export interface ActivateInput {
  iccid: string;
  imei?: string | null;
  servicePlan: string;
  /** ZIP code the MDN is assigned from. */
  mdnZipCode: string;
  primaryPlaceOfUse?: PrimaryPlaceOfUse;
  publicIpRestriction?: string;
}

/** Input of {@link ThingSpaceOperations.deactivate}. */
export interface DeactivateInput {
  iccid: string;
  /** e.g. `FF`. */
  reasonCode: string;
  etfWaiver?: boolean;
  deleteAfterDeactivation?: boolean;
}

/** Input of {@link ThingSpaceOperations.changeIdentifier}. */
export interface ChangeIdentifierInput {
  /** `ChangeICCID` (new SIM) or `ChangeIMEI` (new hardware). */
  option: Extract<Change4gOption, 'ChangeICCID' | 'ChangeIMEI'>;
  /** Current ICCID or IMEI (the kind follows `option`). */
  oldId: string;
  /** New ICCID or IMEI. */
  newId: string;
  servicePlan?: string;
  zipCode?: string;
}

/** Input of {@link ThingSpaceOperations.registerCallback}. */
export interface RegisterCallbackInput {
  url: string;
  /** @default 'CarrierService' */
  name?: string;
  /** Sent back, in plain text, in every callback. */
  username?: string;
  password?: string;
}

/** Everything the client can do. */
export interface ThingSpaceOperations {
  /** `POST /devices/actions/add` (state `preactive`). Idempotent: a repeat says "already exists". */
  addDevice(
    input: { iccid: string; imei?: string | null },
    o?: CallOptions,
  ): Promise<AddDeviceResult>;
  /** `POST /devices/actions/activate`. */
  activate(input: ActivateInput, o?: CallOptions): Promise<ProvisioningAccepted>;
  /** `POST /devices/actions/suspend`. */
  suspend(input: { iccid: string }, o?: CallOptions): Promise<ProvisioningAccepted>;
  /** `POST /devices/actions/restore`. */
  restore(input: { iccid: string }, o?: CallOptions): Promise<ProvisioningAccepted>;
  /** `POST /devices/actions/deactivate`. */
  deactivate(input: DeactivateInput, o?: CallOptions): Promise<ProvisioningAccepted>;
  /** `PUT /devices/actions/plan`. */
  changeServicePlan(
    input: { iccid: string; servicePlan: string },
    o?: CallOptions,
  ): Promise<ProvisioningAccepted>;
  /** `PUT /devices/{serviceType}/actions/deviceId` with `change4gOption`. */
  changeIdentifier(input: ChangeIdentifierInput, o?: CallOptions): Promise<ProvisioningAccepted>;
  /** `PUT /devices/actions/customFields` (keys `CustomField1`..`CustomField5`). Idempotent. */
  updateCustomFields(
    input: { iccid: string; fields: Readonly<Record<string, string>> },
    o?: CallOptions,
  ): Promise<ProvisioningAccepted>;
  /** Writes the user name into the configured custom field. */
  updateUsername(
    input: { iccid: string; username: string },
    o?: CallOptions,
  ): Promise<ProvisioningAccepted>;
  /** `POST /devices/actions/list` for one device. */
  listDevices(
    input: { iccid: string } | { deviceId: ThingSpaceDeviceId },
    o?: CallOptions,
  ): Promise<ThingSpaceDevice[]>;
  /** The device with this ICCID, or undefined. */
  getDevice(iccid: string, o?: CallOptions): Promise<ThingSpaceDevice | undefined>;
  /** `GET /accounts/{account}/requests/{requestId}/status`. */
  getRequestStatus(
    requestId: string,
    o?: CallOptions,
  ): Promise<{ requestId: string; status: ThingSpaceRequestStatus }>;
  /** `POST /devices/history/actions/list`. */
  getProvisioningHistory(
    input: { deviceId: ThingSpaceDeviceId; earliest: Date; latest: Date },
    o?: CallOptions,
  ): Promise<ProvisioningEvent[]>;
  /** `POST /callbacks/{account}`. */
  registerCallback(
    input: RegisterCallbackInput,
    o?: CallOptions,
  ): Promise<{ accountName: string; serviceName: string }>;
  /** `GET /callbacks/{account}`. */
  listCallbacks(
    o?: CallOptions,
  ): Promise<Array<{ accountName: string; name: string; url: string }>>;
  /** `DELETE /callbacks/{account}/name/{serviceName}`. */
  deleteCallback(
    serviceName?: string,
    o?: CallOptions,
  ): Promise<{ accountName: string; serviceName: string }>;
}
