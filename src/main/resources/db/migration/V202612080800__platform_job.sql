-- Work that one node of the cluster does at a time, at most once per interval (the retention
-- sweep): a node takes the lease by moving lease_until forward, and a node that dies lets it
-- lapse.
CREATE TABLE platform_job (
    name        TEXT PRIMARY KEY,
    next_run_at TIMESTAMP WITH TIME ZONE NOT NULL,
    holder      UUID,
    lease_until TIMESTAMP WITH TIME ZONE
);
