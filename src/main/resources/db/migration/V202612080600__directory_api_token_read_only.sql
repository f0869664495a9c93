-- A token that may only read: a dashboard, a report script, an exporter. Tokens made before act
-- with their owner's role, as they always did.
ALTER TABLE directory_api_token ADD COLUMN read_only BOOLEAN DEFAULT FALSE NOT NULL;
