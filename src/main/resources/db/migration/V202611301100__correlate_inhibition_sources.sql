-- The firing alerts that match the source side of an inhibition rule: the few alerts that can
-- inhibit others, kept so that correlating a storm of targets never scans every firing alert.
-- Labels include tocsin_service, as the rules see them.
CREATE TABLE correlate_inhibition_source (
    alert_id    UUID PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    labels      TEXT NOT NULL
);
