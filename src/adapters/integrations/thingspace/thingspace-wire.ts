/**
 * Wire formats of Verizon ThingSpace Connectivity Management (M2M REST, `/api/m2m/v1`) and of
 * its OAuth server (`/api/ts/v1`), as carrier-apis.md §2 documents them.
 *
 * Request schemas are exact (what our client sends, what the simulator accepts); response
 * schemas are loose (`z.looseObject`): the vendor may add fields and we keep them.
 */
import { z } from 'zod';

/** A device identifier: `{ id, kind }`, kind `iccid`, `imei`, `mdn`, `msisdn`, `meid`, `eid`, … */
export const deviceIdSchema = z.object({ id: z.string().min(1), kind: z.string().min(1) });
/** One device identifier. */
export type ThingSpaceDeviceId = z.infer<typeof deviceIdSchema>;

/** `{ deviceIds: [...] }`: one device named by one or more identifiers. */
export const deviceEntrySchema = z.object({ deviceIds: z.array(deviceIdSchema).min(1) });

/** A key/value pair (custom fields, extended attributes). */
export const keyValueSchema = z.object({ key: z.string().min(1), value: z.string() });
/** One key/value pair. */
export type ThingSpaceKeyValue = z.infer<typeof keyValueSchema>;

/** Loose key/value as the vendor returns it (value may be missing). */
const looseKeyValueSchema = z.looseObject({ key: z.string(), value: z.string().optional() });

// ---------------------------------------------------------------- auth

/** `POST /api/ts/v1/oauth2/token` answer. */
export const oauthTokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string(),
  expires_in: z.number().positive(),
  scope: z.string().optional(),
});

/** `POST /api/m2m/v1/session/login` body (UWS credentials). */
export const sessionLoginRequestSchema = z.object({
  username: z.string().min(1),
  password: z.string().min(1),
});

/** `POST /api/m2m/v1/session/login` answer. */
export const sessionLoginResponseSchema = z.looseObject({ sessionToken: z.string().min(1) });

// ---------------------------------------------------------------- provisioning requests

/** `POST /devices/actions/add` body (the original sends `state: "preactive"`). */
export const addDevicesRequestSchema = z.object({
  devicesToAdd: z.array(deviceEntrySchema).min(1),
  accountName: z.string().min(1),
  state: z.string().min(1),
  customFields: z.array(keyValueSchema).optional(),
  groupName: z.string().optional(),
});
/** Body of an add-devices request. */
export type AddDevicesRequest = z.infer<typeof addDevicesRequestSchema>;

/** `POST /devices/actions/add` answer: one result per device. */
export const addDevicesResponseSchema = z.array(
  z.looseObject({ deviceIds: z.array(deviceIdSchema).optional(), response: z.string() }),
);

/** Primary place of use (name and address of the subscriber). */
export const primaryPlaceOfUseSchema = z.object({
  customerName: z.object({
    firstName: z.string().min(1),
    lastName: z.string().min(1),
    title: z.string().optional(),
  }),
  address: z.object({
    addressLine1: z.string().min(1),
    addressLine2: z.string().optional(),
    city: z.string().min(1),
    state: z.string().min(1),
    zip: z.string().min(1),
    country: z.string().min(1),
  }),
});
/** Primary place of use. */
export type PrimaryPlaceOfUse = z.infer<typeof primaryPlaceOfUseSchema>;

/** `POST /devices/actions/activate` body. */
export const activateRequestSchema = z.object({
  devices: z.array(deviceEntrySchema).min(1),
  accountName: z.string().min(1),
  servicePlan: z.string().min(1),
  mdnZipCode: z.string().regex(/^\d{5}$/, 'must be a 5-digit ZIP code'),
  primaryPlaceOfUse: primaryPlaceOfUseSchema.optional(),
  publicIpRestriction: z.string().optional(),
  carrierIpPoolName: z.string().optional(),
});
/** Body of an activation. */
export type ActivateRequest = z.infer<typeof activateRequestSchema>;

/** `POST /devices/actions/suspend` and `/restore` body. */
export const deviceActionRequestSchema = z.object({
  devices: z.array(deviceEntrySchema).min(1),
  accountName: z.string().min(1).optional(),
});
/** Body of a suspend or restore. */
export type DeviceActionRequest = z.infer<typeof deviceActionRequestSchema>;

/** `POST /devices/actions/deactivate` body. */
export const deactivateRequestSchema = deviceActionRequestSchema.extend({
  reasonCode: z.string().min(1),
  etfWaiver: z.boolean().optional(),
  deleteAfterDeactivation: z.boolean().optional(),
});
/** Body of a deactivation. */
export type DeactivateRequest = z.infer<typeof deactivateRequestSchema>;

/** `PUT /devices/actions/plan` body. */
export const servicePlanRequestSchema = z.object({
  devices: z.array(deviceEntrySchema).min(1),
  servicePlan: z.string().min(1),
  accountName: z.string().min(1).optional(),
  carrierIpPoolName: z.string().optional(),
});
/** Body of a service plan change. */
export type ServicePlanRequest = z.infer<typeof servicePlanRequestSchema>;

/** Values of `change4gOption`. */
export const CHANGE_4G_OPTIONS = [
  'ChangeICCID',
  'ChangeIMEI',
  'ChangeIMEIandICCID',
  'ChangeMSISDN',
  '3Gto4G',
  '4Gto3G',
  'ChangeIMEIandEID',
] as const;
/** One `change4gOption`. */
export type Change4gOption = (typeof CHANGE_4G_OPTIONS)[number];

/** `PUT /devices/{serviceType}/actions/deviceId` body. */
export const changeDeviceIdRequestSchema = z.object({
  deviceIds: z.array(deviceIdSchema).min(1),
  deviceIdsTo: z.array(deviceIdSchema).min(1),
  change4gOption: z.enum(CHANGE_4G_OPTIONS),
  servicePlan: z.string().optional(),
  zipCode: z.string().optional(),
  npaNxx: z.string().optional(),
  assignNonGeoMdn: z.boolean().optional(),
  smsrOid: z.string().optional(),
});
/** Body of an identifier change. */
export type ChangeDeviceIdRequest = z.infer<typeof changeDeviceIdRequestSchema>;

/** `PUT /devices/actions/customFields` body. */
export const customFieldsRequestSchema = z.object({
  customFieldsToUpdate: z.array(keyValueSchema).min(1),
  devices: z.array(deviceEntrySchema).min(1),
});
/** Body of a custom-fields update. */
export type CustomFieldsRequest = z.infer<typeof customFieldsRequestSchema>;

/** Synchronous answer of every asynchronous action. */
export const requestAcceptedSchema = z.looseObject({ requestId: z.string().min(1) });

// ---------------------------------------------------------------- reads

/** `POST /devices/actions/list` body (one device, or a whole account). */
export const deviceListRequestSchema = z
  .object({ deviceId: deviceIdSchema.optional(), accountName: z.string().min(1).optional() })
  .refine((b) => b.deviceId !== undefined || b.accountName !== undefined, {
    message: 'deviceId or accountName is required',
  });
/** Body of a device list request. */
export type DeviceListRequest = z.infer<typeof deviceListRequestSchema>;

/** One device of a list answer. */
export const thingSpaceDeviceSchema = z.looseObject({
  accountName: z.string(),
  deviceIds: z.array(deviceIdSchema),
  carrierInformations: z
    .array(
      z.looseObject({
        carrierName: z.string().optional(),
        servicePlan: z.string().optional(),
        state: z.string(),
      }),
    )
    .default([]),
  extendedAttributes: z.array(looseKeyValueSchema).optional(),
  customFields: z.array(looseKeyValueSchema).optional(),
  ipAddress: z.string().optional(),
  connected: z.boolean().optional(),
  createdAt: z.string().optional(),
  lastActivationDate: z.string().optional(),
  lastActivationBy: z.string().optional(),
  lastConnectionDate: z.string().optional(),
  groupNames: z.array(z.string()).optional(),
  billingCycleEndDate: z.string().optional(),
});
/** A device as `devices/actions/list` returns it. */
export type ThingSpaceDevice = z.infer<typeof thingSpaceDeviceSchema>;

/** `POST /devices/actions/list` answer. */
export const deviceListResponseSchema = z.looseObject({
  hasMoreData: z.boolean().optional(),
  devices: z.array(thingSpaceDeviceSchema),
});

/** Values of a request status. */
export const REQUEST_STATUSES = ['Pending', 'Success', 'Failure'] as const;
/** One request status. */
export type ThingSpaceRequestStatus = (typeof REQUEST_STATUSES)[number];

/** `GET /accounts/{account}/requests/{requestId}/status` answer. */
export const requestStatusResponseSchema = z.looseObject({
  requestId: z.string().min(1),
  status: z.enum(REQUEST_STATUSES),
});

/** `POST /devices/history/actions/list` body. */
export const provisioningHistoryRequestSchema = z.object({
  deviceId: deviceIdSchema,
  earliest: z.string().min(1),
  latest: z.string().min(1),
});

/** One provisioning event. */
export const provisioningEventSchema = z.looseObject({
  occurredAt: z.string(),
  status: z.string(),
  eventType: z.string(),
  eventBy: z.string().optional(),
  servicePlan: z.string().optional(),
  mdn: z.string().optional(),
  msisdn: z.string().optional(),
  extendedAttributes: z.array(looseKeyValueSchema).optional(),
});
/** One provisioning event. */
export type ProvisioningEvent = z.infer<typeof provisioningEventSchema>;

/** `POST /devices/history/actions/list` answer. */
export const provisioningHistoryResponseSchema = z.array(
  z.looseObject({
    hasMoreData: z.boolean().optional(),
    provisioningHistory: z.array(provisioningEventSchema).default([]),
  }),
);

// ---------------------------------------------------------------- callbacks

/** `POST /callbacks/{account}` body. */
export const callbackRegistrationRequestSchema = z.object({
  name: z.string().min(1),
  url: z.url(),
  username: z.string().optional(),
  password: z.string().optional(),
});
/** Body of a callback registration. */
export type CallbackRegistrationRequest = z.infer<typeof callbackRegistrationRequestSchema>;

/** Answer of callback registration and deletion. */
export const callbackActionResponseSchema = z.looseObject({
  accountName: z.string(),
  serviceName: z.string(),
});

/** `GET /callbacks/{account}` answer. */
export const registeredCallbacksResponseSchema = z.array(
  z.looseObject({ accountName: z.string(), name: z.string(), url: z.string() }),
);

/** Fault of a failed asynchronous request (`faultcode` = `<Service>.<CATEGORY>.<Code>`). */
export const faultResponseSchema = z.looseObject({
  faultcode: z.string().min(1),
  faultstring: z.string().optional(),
});

/** A CarrierService callback message, one per device. */
export const carrierServiceCallbackSchema = z
  .looseObject({
    username: z.string().optional(),
    password: z.string().optional(),
    requestId: z.string().min(1),
    deviceIds: z.array(deviceIdSchema).min(1),
    status: z.enum(['Success', 'Failed']),
    deviceResponse: z.record(z.string(), z.unknown()).optional(),
    faultResponse: faultResponseSchema.optional(),
    callbackCount: z.number().int().positive().optional(),
    maxCallbackThreshold: z.number().int().positive().optional(),
  })
  .refine((c) => c.status === 'Success' || c.faultResponse !== undefined, {
    message: 'a Failed callback must carry faultResponse',
    path: ['faultResponse'],
  });
/** A CarrierService callback as received. */
export type CarrierServiceCallbackBody = z.infer<typeof carrierServiceCallbackSchema>;

// ---------------------------------------------------------------- errors

/** Synchronous API error: HTTP 400 `{ errorCode, errorMessage }`. */
export const vendorErrorSchema = z.looseObject({
  errorCode: z.string().min(1),
  errorMessage: z.string().optional(),
});

/** Gateway (WSO2) error: `{ fault: { code: "900901", message, description } }`. */
export const gatewayFaultSchema = z.looseObject({
  fault: z.looseObject({
    code: z.union([z.string(), z.number()]),
    message: z.string().optional(),
    description: z.string().optional(),
  }),
});

/** OAuth / generic error: `{ error, error_description }` or `{ error, cause }`. */
export const oauthErrorSchema = z.looseObject({
  error: z.string().min(1),
  error_description: z.string().optional(),
  cause: z.string().optional(),
});
