/**
 * Integration lists shared by the change type definitions.
 */
import { Integration } from '../integrations.ts';

/** The Cisco Control Center family: Jasper, POD19, TMobileJasper, Rogers. */
export const JASPER_FAMILY: readonly Integration[] = Object.freeze([
  Integration.Jasper,
  Integration.POD19,
  Integration.TMobileJasper,
  Integration.Rogers,
]);
