-- Paging writes to the timeline too: who was paged (by the timer or by hand), what could not be
-- paged, reassignments, and the end of an escalation that nobody answered.
ALTER TABLE incident_timeline DROP CONSTRAINT incident_timeline_kind_check;

ALTER TABLE incident_timeline ADD CONSTRAINT incident_timeline_kind_check CHECK (kind IN (
    'opened', 'alerts_attached', 'alerts_resolved', 'acknowledged', 'in_progress', 'resolved',
    'assigned', 'severity_changed', 'title_changed', 'merged_into', 'merged_from', 'note',
    'status_update', 'paged', 'escalated', 'reassigned', 'paging_problem',
    'escalation_exhausted'));
