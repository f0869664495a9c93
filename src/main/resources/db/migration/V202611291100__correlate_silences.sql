-- Silences, as Alertmanager keeps them: matchers (a JSON array of {name, value, isRegex, isEqual})
-- and a time window. The state (pending, active, expired) follows from the window and the clock,
-- so it is never stored and never stale; expiring a silence ends its window now.
CREATE TABLE correlate_silence (
    id          UUID PRIMARY KEY,
    matchers    TEXT NOT NULL,
    starts_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    ends_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    created_by  TEXT NOT NULL,
    comment     TEXT NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT correlate_silence_window CHECK (ends_at >= starts_at)
);

CREATE INDEX correlate_silence_ends ON correlate_silence (ends_at);
