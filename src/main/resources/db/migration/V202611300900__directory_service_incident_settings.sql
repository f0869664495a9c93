-- How a service's alerts become incidents: the labels that group them (a JSON list), how long after
-- a resolution a new firing counts as a recurrence, and whether an incident resolves itself once
-- every alert attached to it has resolved.
ALTER TABLE directory_service ADD COLUMN group_by TEXT NOT NULL DEFAULT '["alertname"]';
ALTER TABLE directory_service ADD COLUMN flap_window_minutes INTEGER NOT NULL DEFAULT 30;
ALTER TABLE directory_service ADD COLUMN auto_resolve BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE directory_service ADD CONSTRAINT directory_service_flap_window_check
    CHECK (flap_window_minutes BETWEEN 0 AND 1440);
