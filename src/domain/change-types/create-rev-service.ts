/**
 * CreateRevService: create a Rev.io service line (+ products) for each device. Same request
 * as AssociateCustomer with CreateRevService implied: it may be omitted (it becomes true)
 * but not set to false; ServiceTypeId and RevCustomerId are required.
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
import { flag, strictRequest } from './schema-fields.ts';

/** Request schema of CreateRevService (a Rev.io service model that must create the line). */
export const createRevServiceSchema = z.preprocess(
  renameRevProviderId,
  strictRequest({
    ...revServiceShape,
    CreateRevService: flag(true).refine((value) => value, {
      message: 'must be true (or omitted) for a CreateRevService change',
    }),
  }).superRefine(checkRevServiceRules),
);

/** Normalised CreateRevService request (CreateRevService is always true). */
export type CreateRevServiceRequest = z.output<typeof createRevServiceSchema>;

/** Definition of CreateRevService. */
export const createRevServiceDefinition: ChangeTypeDefinition<CreateRevServiceRequest> = {
  name: 'CreateRevService',
  aliases: CHANGE_TYPE_ALIASES.CreateRevService,
  description: 'Creates a Rev.io service line (and its products) for each device.',
  requestSchema: createRevServiceSchema,
  supportedIntegrations: SUPPORTED_INTEGRATIONS,
  identifierKinds: ['iccid', 'msisdn', 'eid'],
  perDeviceFields: REV_SERVICE_PER_DEVICE_FIELDS,
};
