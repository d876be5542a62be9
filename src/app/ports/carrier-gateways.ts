/**
 * What handlers need from carrier and billing clients, per service provider. The runtime
 * builds the concrete clients (with the account's resilience policy and rate limiter) from
 * the service provider's settings and credentials; handlers see only these operations.
 */
import type { EngineServiceProvider } from './engine-store.ts';

/** Call options every gateway operation accepts. */
export interface GatewayCallOptions {
  signal?: AbortSignal;
}

/** Cisco Control Center operations used by handlers (a subset of the Jasper client). */
export interface JasperGateway {
  readonly usernameTargetField: string;
  editDevice(
    iccid: string,
    fields: { status?: string; ratePlan?: string; communicationPlan?: string } & Record<
      string,
      unknown
    >,
    options?: GatewayCallOptions,
  ): Promise<{ iccid: string; scheduled: boolean; sent: unknown }>;
}

/** Builds (and caches) gateways for service providers. */
export interface CarrierGateways {
  jasper(provider: EngineServiceProvider): JasperGateway;
}
