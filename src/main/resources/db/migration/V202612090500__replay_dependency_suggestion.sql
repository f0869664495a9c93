-- Dependencies the nightly look at incidents suggests: service_id's incidents opened within
-- minutes after depends_on_id's, time after time. A suggestion a person accepted or dismissed
-- keeps its row, so that the next night does not suggest it again. Service ids are not foreign
-- keys: the directory owns services, and a deleted service's suggestions go with its event.
CREATE TABLE replay_dependency_suggestion (
    id                   UUID PRIMARY KEY,
    service_id           UUID NOT NULL,
    depends_on_id        UUID NOT NULL,
    status               TEXT NOT NULL,
    cause_incidents      INTEGER NOT NULL,
    followed             INTEGER NOT NULL,
    median_lag_seconds   INTEGER NOT NULL,
    examples             TEXT NOT NULL,
    pages_now            INTEGER,
    pages_with           INTEGER,
    incidents_now        INTEGER,
    incidents_with       INTEGER,
    window_from          TIMESTAMP WITH TIME ZONE NOT NULL,
    window_to            TIMESTAMP WITH TIME ZONE NOT NULL,
    computed_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    decided_at           TIMESTAMP WITH TIME ZONE,
    decided_by           TEXT,
    CONSTRAINT replay_dependency_suggestion_pair UNIQUE (service_id, depends_on_id),
    CONSTRAINT replay_dependency_suggestion_status_check
        CHECK (status IN ('suggested', 'accepted', 'dismissed')),
    CONSTRAINT replay_dependency_suggestion_decided
        CHECK ((status = 'suggested') = (decided_at IS NULL))
);
