-- The other names a sender calls a service by (its Kubernetes namespace, its Prometheus job), as a
-- JSON list: a routing rule that takes the service from a label's value matches them as it matches
-- the name, in any case.
ALTER TABLE directory_service ADD COLUMN aliases TEXT DEFAULT '[]' NOT NULL;
