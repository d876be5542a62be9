/**
 * ChangeICCIDAndIMEI (the original portal's `ChangeICCIDorIMEI`): swap a device's SIM
 * (ICCID) and/or handset (IMEI) at the carrier and in the device database.
 *
 * Rules: at least one of NewICCID / NewIMEI; every ICCID / IMEI must pass the identifier
 * checks (normalised to digits); NewICCID must differ from OldICCID and NewIMEI from
 * OldIMEI. `IdentifierType` (any case) says which identifier ThingSpace changes; when absent
 * it is derived: IMEI when only NewIMEI is given, otherwise ICCID. When given, the matching
 * New… field is required.
 */
import { z } from 'zod';
import { Integration } from '../integrations.ts';
import { CHANGE_TYPE_ALIASES, type ChangeTypeDefinition } from './change-type.ts';
import {
  flag,
  optionalIdentifier,
  optionalPositiveInt,
  optionalText,
  optionalZipCode,
  strictRequest,
} from './schema-fields.ts';

const identifierTypeSchema = z.preprocess(
  (value) => (typeof value === 'string' ? value.trim().toUpperCase() || undefined : value),
  z.enum(['ICCID', 'IMEI']).optional(),
);

const fieldsSchema = strictRequest({
  OldICCID: optionalIdentifier('iccid'),
  NewICCID: optionalIdentifier('iccid'),
  OldIMEI: optionalIdentifier('imei'),
  NewIMEI: optionalIdentifier('imei'),
  IdentifierType: identifierTypeSchema,
  ReasonCode: optionalText(64),
  ServiceZipCode: optionalZipCode(),
  TechnologyType: optionalText(32),
  AddCustomerRatePlan: flag(false),
  CustomerRatePlan: optionalPositiveInt(),
  CustomerRatePool: optionalPositiveInt(),
});

/** Request schema of ChangeICCIDAndIMEI. */
export const changeIccidAndImeiSchema = fieldsSchema
  .superRefine((request, ctx) => {
    const issue = (field: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [field], message });
    if (request.NewICCID === undefined && request.NewIMEI === undefined) {
      ctx.addIssue({ code: 'custom', message: 'Give NewICCID, NewIMEI or both' });
    }
    if (request.NewICCID !== undefined && request.NewICCID === request.OldICCID) {
      issue('NewICCID', 'must differ from OldICCID');
    }
    if (request.NewIMEI !== undefined && request.NewIMEI === request.OldIMEI) {
      issue('NewIMEI', 'must differ from OldIMEI');
    }
    if (request.IdentifierType === 'ICCID' && request.NewICCID === undefined) {
      issue('NewICCID', 'is required when IdentifierType is ICCID');
    }
    if (request.IdentifierType === 'IMEI' && request.NewIMEI === undefined) {
      issue('NewIMEI', 'is required when IdentifierType is IMEI');
    }
    if (
      request.AddCustomerRatePlan &&
      request.CustomerRatePlan === undefined &&
      request.CustomerRatePool === undefined
    ) {
      issue('CustomerRatePlan', 'or CustomerRatePool is required when AddCustomerRatePlan is true');
    }
  })
  .transform((request) => ({
    ...request,
    IdentifierType:
      request.IdentifierType ??
      (request.NewIMEI !== undefined && request.NewICCID === undefined ? 'IMEI' : 'ICCID'),
  }));

/** Normalised ChangeICCIDAndIMEI request (IdentifierType always set). */
export type ChangeIccidAndImeiRequest = z.output<typeof changeIccidAndImeiSchema>;

/** Definition of ChangeICCIDAndIMEI. */
export const changeIccidAndImeiDefinition: ChangeTypeDefinition<ChangeIccidAndImeiRequest> = {
  name: 'ChangeICCIDAndIMEI',
  aliases: CHANGE_TYPE_ALIASES.ChangeICCIDAndIMEI,
  description:
    "Swaps a device's SIM (ICCID) and/or handset (IMEI) at the carrier and in the device database.",
  requestSchema: changeIccidAndImeiSchema,
  supportedIntegrations: [Integration.ThingSpace, Integration.Telegence],
  identifierKinds: ['msisdn', 'eid', 'iccid'],
  perDeviceFields: [
    'OldICCID',
    'NewICCID',
    'OldIMEI',
    'NewIMEI',
    'ReasonCode',
    'ServiceZipCode',
    'TechnologyType',
  ],
};
