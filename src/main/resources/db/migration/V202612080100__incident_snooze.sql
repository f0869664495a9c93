-- Snooze (issue 24): a responder acknowledges an incident for a chosen time, after which it is open
-- again and pages from its policy's first level. snoozed_until is when that happens; the timer
-- that makes it happen is the escalation run's due_at, so it survives restarts and fires on one
-- node only. The timeline records the snooze and its end (snoozed, snooze_ended), and who declared
-- an incident by hand, for an outage no alert caught (declared).
ALTER TABLE incident ADD COLUMN snoozed_until TIMESTAMP WITH TIME ZONE;

ALTER TABLE incident_timeline DROP CONSTRAINT incident_timeline_kind_check;

ALTER TABLE incident_timeline ADD CONSTRAINT incident_timeline_kind_check CHECK (kind IN (
    'opened', 'alerts_attached', 'alerts_resolved', 'acknowledged', 'in_progress', 'resolved',
    'assigned', 'severity_changed', 'title_changed', 'merged_into', 'merged_from', 'note',
    'status_update', 'paged', 'escalated', 'reassigned', 'paging_problem',
    'escalation_exhausted', 'cause_inferred', 'cause_confirmed', 'paging_held', 'hold_ended',
    'split_out', 'split_from', 'snoozed', 'snooze_ended', 'declared'));
