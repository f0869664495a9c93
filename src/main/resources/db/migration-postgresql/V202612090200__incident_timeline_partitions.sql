-- Timelines are partitioned by month of their incident's time-ordered id, so that an incident's
-- entries sit in one partition that a read of its timeline goes straight to, and retention drops
-- the month of incidents it lets go in one statement (platform_partition_by_month). Replaced under
-- its own name, with its indexes' and constraints' names, for the nodes of the previous release.
ALTER TABLE incident_timeline RENAME TO incident_timeline_legacy;
ALTER INDEX incident_timeline_pkey RENAME TO incident_timeline_legacy_pkey;
ALTER INDEX incident_timeline_incident RENAME TO incident_timeline_legacy_incident;
ALTER TABLE incident_timeline_legacy
    RENAME CONSTRAINT incident_timeline_incident_id_fkey TO incident_timeline_legacy_incident_id_fkey;

-- No primary key: one on a partitioned table must hold the partition key, and the old table, whose
-- primary key is its id alone (which the previous release's nodes update entries by), could not
-- then be attached. Entries are only ever made with ids Tocsin draws, and every read and update
-- goes through the (incident_id, id) index, which the old table already has and brings along.
CREATE TABLE incident_timeline (
    LIKE incident_timeline_legacy INCLUDING DEFAULTS INCLUDING CONSTRAINTS
) PARTITION BY RANGE (incident_id);
CREATE INDEX incident_timeline_incident ON incident_timeline (incident_id, id);
ALTER TABLE incident_timeline ADD CONSTRAINT incident_timeline_incident_id_fkey
    FOREIGN KEY (incident_id) REFERENCES incident (id);

SELECT platform_partition_by_month('incident_timeline');
