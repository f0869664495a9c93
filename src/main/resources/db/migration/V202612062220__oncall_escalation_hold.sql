-- A run whose first page waits for the service's group delay: until when, and why. Cleared when
-- the hold ends, so a held run is one with held_until set.
ALTER TABLE oncall_escalation ADD COLUMN held_until TIMESTAMP WITH TIME ZONE;
ALTER TABLE oncall_escalation ADD COLUMN hold_reason TEXT;
