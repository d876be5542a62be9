-- 0009_billing_integration_settings: non-secret settings of a billing (Rev.io) integration,
-- like service_providers.settings. Read by the runtime: `rateLimitPerSecond` and
-- `maxConcurrent` override the Rev.io client's default limits (8 calls/s, 4 in flight: Rev.io's
-- published 500 calls a minute per tenant) for tenants whose contract allows more; anything
-- else is ignored. Both must be positive numbers when present.

alter table billing_integrations add column settings jsonb not null default '{}';

alter table billing_integrations add constraint billing_integrations_settings_limits check (
  jsonb_typeof(settings) = 'object'
  and (not settings ? 'rateLimitPerSecond'
       or (jsonb_typeof(settings -> 'rateLimitPerSecond') = 'number'
           and (settings ->> 'rateLimitPerSecond')::double precision > 0))
  and (not settings ? 'maxConcurrent'
       or (jsonb_typeof(settings -> 'maxConcurrent') = 'number'
           and (settings ->> 'maxConcurrent')::double precision >= 1))
);
