-- One postmortem per resolved incident. The timeline, follow-up actions and checklist are JSON
-- documents edited as a whole with the rest of the write-up.
CREATE TABLE incident_postmortem (
    incident_id UUID PRIMARY KEY REFERENCES incident (id),
    status      TEXT NOT NULL,
    summary     TEXT NOT NULL,
    impact      TEXT NOT NULL,
    timeline    TEXT NOT NULL,
    root_cause  TEXT NOT NULL,
    resolution  TEXT NOT NULL,
    follow_ups  TEXT NOT NULL,
    checklist   TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_by  TEXT NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT incident_postmortem_status_check
        CHECK (status IN ('draft', 'in_review', 'published'))
);
