-- 0005_tenant_unpushed_values: the tenant setting `unpushedValues` says what an
-- EditUsernameCostCenter device change becomes when some values cannot be pushed to Rev.io
-- (no service, no such field): 'warning' (PROCESSED with the reasons, the default) or 'fail'
-- (API_FAILED with the reasons, device row unchanged).

alter table tenants add constraint tenants_unpushed_values check (
  coalesce(settings ->> 'unpushedValues', 'warning') in ('warning', 'fail')
);
