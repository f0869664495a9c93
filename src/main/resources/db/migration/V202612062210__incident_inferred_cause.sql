-- An incident opened on a dependency that sent no alert, because several services that need it
-- failed at once: inferred, with the evidence in words, kept up to date as more of them join, and
-- what else they share when the choice was ambiguous. Its own alert, when it comes, confirms it
-- (inferred becomes FALSE, the evidence stays as it was then). split_from names the incident a person took this
-- one out of: its service's alerts stay on it instead of joining the cause's incident again.
ALTER TABLE incident ADD COLUMN inferred BOOLEAN DEFAULT FALSE NOT NULL;
ALTER TABLE incident ADD COLUMN inference TEXT;
ALTER TABLE incident ADD COLUMN inference_rivals TEXT;
ALTER TABLE incident ADD COLUMN split_from UUID REFERENCES incident (id);

ALTER TABLE incident_timeline DROP CONSTRAINT incident_timeline_kind_check;

ALTER TABLE incident_timeline ADD CONSTRAINT incident_timeline_kind_check CHECK (kind IN (
    'opened', 'alerts_attached', 'alerts_resolved', 'acknowledged', 'in_progress', 'resolved',
    'assigned', 'severity_changed', 'title_changed', 'merged_into', 'merged_from', 'note',
    'status_update', 'paged', 'escalated', 'reassigned', 'paging_problem',
    'escalation_exhausted', 'cause_inferred', 'cause_confirmed', 'paging_held', 'hold_ended',
    'split_out', 'split_from'));
