/**
 * AssociateCustomer (the original's `CustomerAssignment`): assign devices to a Rev.io
 * customer, optionally creating a Rev.io service line (+ products) per device and setting a
 * customer rate plan / pool. Request: the original `BulkChangeAssociateCustomer` model, see
 * `rev-service-fields.ts`.
 */
import { z } from 'zod';
import { SUPPORTED_INTEGRATIONS } from '../integrations.ts';
import { CHANGE_TYPE_ALIASES, type ChangeTypeDefinition } from './change-type.ts';
import {
  checkRevServiceRules,
  REV_SERVICE_PER_DEVICE_FIELDS,
  renameRevProviderId,
  revServiceShape,
} from './rev-service-fields.ts';
import { revCustomerId, strictRequest } from './schema-fields.ts';

/**
 * Request schema of AssociateCustomer. RevCustomerId is required, except for a customer without
 * Rev.io (the original's non-Rev variant): then SiteId is required and CreateRevService must
 * stay false. When CreateRevService is true, ServiceTypeId is required too.
 */
export const associateCustomerSchema = z.preprocess(
  renameRevProviderId,
  strictRequest({
    ...revServiceShape,
    RevCustomerId: z.preprocess(
      (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
      revCustomerId().optional(),
    ),
  }).superRefine((request, ctx) => {
    if (request.RevCustomerId === undefined) {
      if (request.SiteId === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['RevCustomerId'],
          message: 'is required (or SiteId, to assign a customer without Rev.io)',
        });
      } else if (request.CreateRevService) {
        ctx.addIssue({
          code: 'custom',
          path: ['CreateRevService'],
          message: 'needs RevCustomerId (a Rev.io service line belongs to a Rev.io customer)',
        });
      }
    }
    checkRevServiceRules(request, ctx);
  }),
);

/** Normalised AssociateCustomer request. */
export type AssociateCustomerRequest = z.output<typeof associateCustomerSchema>;

/** Definition of AssociateCustomer. */
export const associateCustomerDefinition: ChangeTypeDefinition<AssociateCustomerRequest> = {
  name: 'AssociateCustomer',
  aliases: CHANGE_TYPE_ALIASES.AssociateCustomer,
  description:
    'Assigns devices to a Rev.io customer, optionally creating a Rev.io service line per device and setting a customer rate plan.',
  requestSchema: associateCustomerSchema,
  supportedIntegrations: SUPPORTED_INTEGRATIONS,
  identifierKinds: ['iccid', 'msisdn', 'eid'],
  perDeviceFields: REV_SERVICE_PER_DEVICE_FIELDS,
};
