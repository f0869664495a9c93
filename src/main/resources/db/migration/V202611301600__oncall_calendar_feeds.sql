-- Secret calendar feed URLs, one per schedule and one per user; only a hash of the token is kept,
-- and creating a feed again replaces the old URL.
CREATE TABLE oncall_calendar_feed (
    token_hash TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    owner_id   UUID NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT oncall_calendar_feed_kind_check CHECK (kind IN ('schedule', 'user')),
    CONSTRAINT oncall_calendar_feed_owner_unique UNIQUE (kind, owner_id)
);
