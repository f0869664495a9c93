-- How many times each kind of configuration that correlation reads for every batch has changed
-- (issue 25). Each node keeps these in memory, and a transaction that sees a newer generation than
-- the one its node cached reads them again: a change on one node is seen by the next transaction
-- on every other node, at the cost of one small read per transaction instead of one per kind.
CREATE TABLE platform_config_generation (
    kind       VARCHAR(100) PRIMARY KEY,
    generation BIGINT NOT NULL
);

INSERT INTO platform_config_generation (kind, generation) VALUES ('correlate.silence', 0);
INSERT INTO platform_config_generation (kind, generation) VALUES ('correlate.inhibition-rule', 0);
INSERT INTO platform_config_generation (kind, generation) VALUES ('directory.service', 0);
INSERT INTO platform_config_generation (kind, generation) VALUES ('directory.integration', 0);
