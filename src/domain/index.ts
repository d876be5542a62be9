/**
 * Public API of the pure domain layer (no I/O). Import from here rather than from
 * individual files outside `src/domain`.
 */

export {
  BulkChangeEvent,
  BulkChangeStatus,
  bulkChangeStatusesAccepting,
  canTransitionBulkChange,
  isBulkChangeStatus,
  isTerminalBulkChangeStatus,
  transitionBulkChange,
} from './bulk-change/bulk-change-status.ts';
export {
  type AssociateCustomerRequest,
  associateCustomerDefinition,
  associateCustomerSchema,
} from './change-types/associate-customer.ts';
export {
  type CarrierRatePlanChangeRequest,
  carrierRatePlanChangeDefinition,
  carrierRatePlanChangeSchema,
} from './change-types/carrier-rate-plan-change.ts';
export {
  type ChangeIccidAndImeiRequest,
  changeIccidAndImeiDefinition,
  changeIccidAndImeiSchema,
} from './change-types/change-iccid-and-imei.ts';
export {
  ALL_CHANGE_TYPES,
  CHANGE_TYPE_ALIASES,
  ChangeType,
  type ChangeTypeDefinition,
  isChangeType,
  parseChangeType,
  UnknownChangeTypeError,
} from './change-types/change-type.ts';
export {
  type CreateRevServiceRequest,
  createRevServiceDefinition,
  createRevServiceSchema,
} from './change-types/create-rev-service.ts';
export {
  type EditUsernameCostCenterRequest,
  editUsernameCostCenterDefinition,
  editUsernameCostCenterSchema,
} from './change-types/edit-username-cost-center.ts';
export { JASPER_FAMILY } from './change-types/integration-groups.ts';
export {
  CHANGE_TYPES,
  type ChangeRequestMap,
  type ChangeRequestValidation,
  type ChangeTypeDefinitions,
  getChangeTypeDefinition,
  isChangeTypeSupportedFor,
  parseChangeRequest,
  validateChangeRequest,
} from './change-types/registry.ts';
export {
  carrierStatusRequestSchema,
  type StatusUpdateRequest,
  statusUpdateDefinition,
  statusUpdateSchema,
  thingSpacePpuSchema,
  thingSpaceStatusRequestSchema,
} from './change-types/status-update.ts';
export {
  canTransitionDeviceChange,
  DeviceChangeEvent,
  DeviceChangeStatus,
  deviceChangeStatusesAccepting,
  isDeviceChangeStatus,
  isTerminalDeviceChangeStatus,
  transitionDeviceChange,
} from './device-change/device-change-status.ts';
export {
  AppError,
  type AppErrorOptions,
  ErrorCode,
  InvalidStatusTransitionError,
  isAppError,
  NotFoundError,
  toError,
  ValidationError,
  type ValidationIssue,
} from './errors.ts';
export { EID_LENGTH, eidCheckDigits, makeEid, validateEid } from './identifiers/eid.ts';
export { ICCID_LENGTHS, makeIccid, validateIccid } from './identifiers/iccid.ts';
export {
  parseEid,
  parseIccid,
  parseIdentifier,
  parseImei,
  parseMsisdn,
  validateIdentifier,
} from './identifiers/identifier.ts';
export { InvalidIdentifierError } from './identifiers/identifier-error.ts';
export {
  IDENTIFIER_LABELS,
  IdentifierKind,
  type IdentifierResult,
  isIdentifierKind,
} from './identifiers/identifier-kind.ts';
export { IMEI_LENGTH, makeImei, validateImei } from './identifiers/imei.ts';
export { isLuhnValid, luhnCheckDigit } from './identifiers/luhn.ts';
export { MSISDN_MAX_LENGTH, MSISDN_MIN_LENGTH, validateMsisdn } from './identifiers/msisdn.ts';
export {
  ALL_INTEGRATIONS,
  BillingIntegration,
  Integration,
  IntegrationFamily,
  integrationFamily,
  integrationPortalType,
  isIntegration,
  isSupportedIntegration,
  SUPPORTED_INTEGRATIONS,
} from './integrations.ts';
export { type IsoDateResult, parseIsoDate } from './iso-date.ts';
export { PortalType } from './portal-type.ts';
export { type SecretBox, type SecretRef, type SecretRefs, secretRefSchema } from './secret-ref.ts';
export { issueField, predicateErrorMap, toValidationIssues } from './zod-issues.ts';
