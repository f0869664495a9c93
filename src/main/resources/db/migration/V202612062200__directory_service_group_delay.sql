-- How long a new incident of the service waits before its first page, so that a cause found in
-- the meantime (its own alert, or one inferred from its dependents) takes it over and pages once.
-- NULL follows tocsin.escalation.group-delay; 0 pages at once.
ALTER TABLE directory_service ADD COLUMN group_delay_seconds INTEGER;
ALTER TABLE directory_service ADD CONSTRAINT directory_service_group_delay_check
    CHECK (group_delay_seconds BETWEEN 0 AND 600);
