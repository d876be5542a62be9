-- 0003_engine: what the processing engine needs beyond 0001.
--
-- bulk_changes.next_wakeup_at: when a continuation message is scheduled for the bulk change;
-- only one is kept in flight per due time, so duplicate deliveries do not multiply messages,
-- and a sweeper re-sends one when it is overdue (a lost message never strands a bulk change).
-- device_changes.last_error: the last failure, kept while the change waits for a retry.
-- device_changes.park_state: what a parked change needs to resume (carrier request id, …).

alter table bulk_changes add column next_wakeup_at timestamptz;
alter table bulk_changes add column last_progress_at timestamptz;

alter table device_changes add column last_error text;
alter table device_changes add column park_state jsonb;

create index bulk_changes_wakeup_idx on bulk_changes (next_wakeup_at) where status = 'PROCESSING';
