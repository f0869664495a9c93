-- Mail becomes a way in (issue 22): monitoring that can only send mail (a NAS, a UPS, a vendor's
-- status page, an old Nagios) reaches a service through an integration of kind 'email'. Each has
-- its own address, <email_local_part>@<TOCSIN_EMAIL_IN_DOMAIN>: a random token, unique so that the
-- SMTP listener finds the integration from the recipient alone and refuses any other at RCPT time.
-- The two optional RE2 expressions on the subject choose the dedup key (its first group) and mark
-- a mail that resolves instead of firing.
ALTER TABLE directory_integration DROP CONSTRAINT directory_integration_kind_check;
ALTER TABLE directory_integration ADD CONSTRAINT directory_integration_kind_check
    CHECK (kind IN ('alertmanager', 'pagerduty', 'generic', 'heartbeat', 'grafana', 'email'));
ALTER TABLE directory_integration ADD COLUMN email_local_part TEXT;
ALTER TABLE directory_integration ADD COLUMN email_dedup_pattern TEXT;
ALTER TABLE directory_integration ADD COLUMN email_resolve_pattern TEXT;
ALTER TABLE directory_integration ADD CONSTRAINT directory_integration_email_local_part_unique
    UNIQUE (email_local_part);
