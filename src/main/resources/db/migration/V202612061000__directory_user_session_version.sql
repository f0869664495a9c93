-- A browser session keeps the role and password it signed in with, in the memory of one node. Each
-- user now carries a version that a role change or a password change increases in the same
-- transaction; a session remembers the version it signed in with and ends, on whichever node holds
-- it, as soon as the row says otherwise (or is gone).
ALTER TABLE directory_user ADD COLUMN session_version BIGINT NOT NULL DEFAULT 0;
