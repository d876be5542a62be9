/**
 * EditUsernameCostCenter: rename devices (ContactName, the carrier's "username") and set
 * their cost centers (Rev.io custom fields "Cost Center 1..3").
 *
 * Every field is optional; a blank value means "leave unchanged" and is normalised to
 * absent (the original never sent blanks either, so a blank can never clear a field). At
 * least one field must be non-blank.
 */
import type { z } from 'zod';
import { Integration } from '../integrations.ts';
import { CHANGE_TYPE_ALIASES, type ChangeTypeDefinition } from './change-type.ts';
import { JASPER_FAMILY } from './integration-groups.ts';
import { optionalText, strictRequest } from './schema-fields.ts';

const FIELDS = ['ContactName', 'CostCenter1', 'CostCenter2', 'CostCenter3'] as const;

/** Request schema of EditUsernameCostCenter (original `BulkChangeEditUsername`). */
export const editUsernameCostCenterSchema = strictRequest({
  ContactName: optionalText(),
  CostCenter1: optionalText(),
  CostCenter2: optionalText(),
  CostCenter3: optionalText(),
}).superRefine((request, ctx) => {
  if (FIELDS.every((field) => request[field] === undefined)) {
    ctx.addIssue({
      code: 'custom',
      message: `Give at least one of ${FIELDS.join(', ')} (blank values mean "leave unchanged")`,
    });
  }
});

/** Normalised EditUsernameCostCenter request: only the fields to change are present. */
export type EditUsernameCostCenterRequest = z.output<typeof editUsernameCostCenterSchema>;

/** Definition of EditUsernameCostCenter. */
export const editUsernameCostCenterDefinition: ChangeTypeDefinition<EditUsernameCostCenterRequest> =
  {
    name: 'EditUsernameCostCenter',
    aliases: CHANGE_TYPE_ALIASES.EditUsernameCostCenter,
    description:
      'Renames devices (username / contact name) and sets their cost centers at the carrier, in Rev.io and in the device database.',
    requestSchema: editUsernameCostCenterSchema,
    supportedIntegrations: [...JASPER_FAMILY, Integration.Telegence, Integration.ThingSpace],
    identifierKinds: ['iccid', 'msisdn', 'eid'],
    perDeviceFields: [...FIELDS],
  };
