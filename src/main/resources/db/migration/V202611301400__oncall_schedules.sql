-- Schedules: a time zone and layers (a JSON list, edited with the schedule as a whole: rotations,
-- their members, lengths, local start and restriction windows); overrides one row each, because
-- they come and go one by one and must not overlap.
CREATE TABLE oncall_schedule (
    id          UUID PRIMARY KEY,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    description TEXT NOT NULL,
    time_zone   TEXT NOT NULL,
    layers      TEXT NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT oncall_schedule_name_unique UNIQUE (name_key)
);

CREATE TABLE oncall_override (
    id          UUID PRIMARY KEY,
    schedule_id UUID NOT NULL REFERENCES oncall_schedule (id) ON DELETE CASCADE,
    user_id     UUID NOT NULL,
    starts_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    ends_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT oncall_override_window CHECK (ends_at > starts_at)
);

CREATE INDEX oncall_override_schedule ON oncall_override (schedule_id, starts_at);
