-- The delivery log is partitioned by month of its message's time-ordered id, so that retention
-- drops a month of attempts in one statement (platform_partition_by_month). Replaced under its own
-- name, with its indexes' and constraints' names, for the nodes of the previous release.
--
-- The messages themselves stay in one table: at most one message per dedup key, the guarantee that
-- a page goes out once, is a unique constraint over every message, which PostgreSQL cannot keep
-- across partitions. There are a few of them per incident, against an attempt per try.
ALTER TABLE notify_attempt RENAME TO notify_attempt_legacy;
ALTER INDEX notify_attempt_pkey RENAME TO notify_attempt_legacy_pkey;
ALTER TABLE notify_attempt_legacy
    RENAME CONSTRAINT notify_attempt_message_id_fkey TO notify_attempt_legacy_message_id_fkey;

CREATE TABLE notify_attempt (
    LIKE notify_attempt_legacy INCLUDING DEFAULTS INCLUDING CONSTRAINTS
) PARTITION BY RANGE (message_id);
ALTER TABLE notify_attempt ADD CONSTRAINT notify_attempt_pkey PRIMARY KEY (message_id, attempt);
ALTER TABLE notify_attempt ADD CONSTRAINT notify_attempt_message_id_fkey
    FOREIGN KEY (message_id) REFERENCES notify_message (id);

SELECT platform_partition_by_month('notify_attempt');
