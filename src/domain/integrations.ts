/**
 * Carrier integrations a service provider can use, and the billing integration.
 *
 * The Jasper family (Cisco IoT Control Center: Jasper, AT&T POD19, T-Mobile Jasper, Rogers)
 * shares one API; ThingSpace is Verizon; Telegence is AT&T Mobility. Teal, Pond and eBonding
 * exist in the original system; they are known names here so that stored data and requests
 * that mention them get a clear "not supported" answer instead of "unknown".
 */
import { PortalType } from './portal-type.ts';

/** Carrier integration names (the original's `IntegrationType` names). */
export const Integration = {
  Jasper: 'Jasper',
  POD19: 'POD19',
  TMobileJasper: 'TMobileJasper',
  Rogers: 'Rogers',
  ThingSpace: 'ThingSpace',
  Telegence: 'Telegence',
  Teal: 'Teal',
  Pond: 'Pond',
  eBonding: 'eBonding',
} as const;

/** One carrier integration name. */
export type Integration = (typeof Integration)[keyof typeof Integration];

/** Which client/simulator family serves an integration. */
export const IntegrationFamily = {
  Jasper: 'jasper',
  ThingSpace: 'thingspace',
  Telegence: 'telegence',
  Unsupported: 'unsupported',
} as const;

/** One integration family. */
export type IntegrationFamily = (typeof IntegrationFamily)[keyof typeof IntegrationFamily];

/** Billing integrations (only Rev.io today). */
export const BillingIntegration = { Revio: 'Revio' } as const;

/** One billing integration name. */
export type BillingIntegration = (typeof BillingIntegration)[keyof typeof BillingIntegration];

interface IntegrationInfo {
  readonly family: IntegrationFamily;
  readonly portalType: PortalType;
  readonly supported: boolean;
}

const INFO: Readonly<Record<Integration, IntegrationInfo>> = {
  Jasper: { family: 'jasper', portalType: PortalType.M2M, supported: true },
  POD19: { family: 'jasper', portalType: PortalType.M2M, supported: true },
  TMobileJasper: { family: 'jasper', portalType: PortalType.M2M, supported: true },
  Rogers: { family: 'jasper', portalType: PortalType.M2M, supported: true },
  ThingSpace: { family: 'thingspace', portalType: PortalType.M2M, supported: true },
  Telegence: { family: 'telegence', portalType: PortalType.Mobility, supported: true },
  Teal: { family: 'unsupported', portalType: PortalType.M2M, supported: false },
  Pond: { family: 'unsupported', portalType: PortalType.M2M, supported: false },
  eBonding: { family: 'unsupported', portalType: PortalType.Mobility, supported: false },
};

/** Every integration name, in declaration order. */
export const ALL_INTEGRATIONS: readonly Integration[] = Object.freeze(
  Object.values(Integration) as Integration[],
);

/** Integrations this build can carry changes to. */
export const SUPPORTED_INTEGRATIONS: readonly Integration[] = Object.freeze(
  ALL_INTEGRATIONS.filter((i) => INFO[i].supported),
);

/** True when `value` is a known integration name (exact spelling). */
export function isIntegration(value: string): value is Integration {
  return Object.hasOwn(INFO, value);
}

/** Family (client/simulator) of an integration. */
export function integrationFamily(integration: Integration): IntegrationFamily {
  return INFO[integration].family;
}

/** Portal type of the device changes of an integration (Mobility for Telegence). */
export function integrationPortalType(integration: Integration): PortalType {
  return INFO[integration].portalType;
}

/** True when this build carries changes to the integration. */
export function isSupportedIntegration(integration: Integration): boolean {
  return INFO[integration].supported;
}
