-- A deleted service kept its escalation policy assignment, which then kept that policy from being
-- deleted. Deleting a service now lets go of it in the same transaction; this clears what earlier
-- deletions left.
DELETE FROM oncall_service_policy
WHERE service_id NOT IN (SELECT id FROM directory_service);
