-- The nodes running against this database. Each node rewrites its row on every database probe,
-- which proves the database takes writes (a read-only failover replica does not), and lets
-- operators and the Alertmanager status API see the cluster.
CREATE TABLE platform_node (
    id           UUID PRIMARY KEY,
    host_name    TEXT NOT NULL,
    version      TEXT NOT NULL,
    started_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    last_seen_at TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX platform_node_last_seen_at ON platform_node (last_seen_at);
