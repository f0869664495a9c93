-- Grafana Alerting posts to a webhook contact point in its own JSON (issue 22, item 4a): a kind of
-- integration of its own, so its key is taken at /api/v1/webhooks/grafana and nowhere else.
ALTER TABLE directory_integration DROP CONSTRAINT directory_integration_kind_check;

ALTER TABLE directory_integration ADD CONSTRAINT directory_integration_kind_check
    CHECK (kind IN ('alertmanager', 'pagerduty', 'generic', 'heartbeat', 'grafana'));
