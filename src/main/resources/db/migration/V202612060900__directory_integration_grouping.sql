-- Grouping becomes a setting of each integration: a PagerDuty event has no alertname, so grouping by
-- the service's labels put every event of a PagerDuty integration into one incident, and an
-- unrelated critical joined an incident somebody had already acknowledged. group_labels is a JSON
-- list, as text, used when group_by is 'labels'. PagerDuty integrations, the existing ones too,
-- group by dedup_key: that is PagerDuty's own identity of an incident.
ALTER TABLE directory_integration ADD COLUMN group_by TEXT NOT NULL DEFAULT 'service';
ALTER TABLE directory_integration ADD COLUMN group_labels TEXT NOT NULL DEFAULT '[]';
ALTER TABLE directory_integration ADD CONSTRAINT directory_integration_group_by_check
    CHECK (group_by IN ('service', 'dedup_key', 'labels', 'all'));
UPDATE directory_integration SET group_by = 'dedup_key' WHERE kind = 'pagerduty';
