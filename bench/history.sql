-- A year of synthetic history for bench/run --history: :occurrences resolved alert occurrences
-- spread evenly over the :days days before now, on the services named history-*, in :incidents
-- resolved incidents of equal size (each with its alerts' records, its services and a timeline of
-- five entries), and the alert volume the dashboard charts. Written straight into the tables, as a
-- restored backup would be: through the API a year of history would take a day to load.
--
--   psql -v occurrences=10000000 -v incidents=100000 -v days=365 -f bench/history.sql
--
-- On PostgreSQL only: it makes the monthly partitions of the past first, as a database that had
-- run for that year would have them.
\set ON_ERROR_STOP on
\timing on

CREATE TEMPORARY TABLE history_service AS
SELECT row_number() OVER (ORDER BY s.name) - 1 AS n, s.id AS service_id, i.id AS integration_id,
       s.name
FROM directory_service s JOIN directory_integration i ON i.service_id = s.id
WHERE s.name LIKE 'history-%';

SELECT count(*) AS history_services, count(*) > 0 AS has_services FROM history_service \gset
\if :has_services
\else
  \echo 'bench/history.sql: no service named history-* with an integration'
  \quit 1
\endif

SELECT date_trunc('milliseconds', now() - make_interval(days => :days)) AS history_start \gset

SELECT platform_month_partition('ingest_alert', month)
FROM generate_series(date_trunc('month', TIMESTAMP WITH TIME ZONE :'history_start', 'UTC'),
                     now(), INTERVAL '1 month') AS month;

-- Occurrence n is first seen at start + n * step, in incident n / size: the ids grow with time, as
-- ingestion draws them, and an incident's occurrences are neighbours on one service.
CREATE TEMPORARY TABLE history_occurrence AS
SELECT n, n / (:occurrences / :incidents) AS k,
       TIMESTAMP WITH TIME ZONE :'history_start' + make_interval(secs => :days * 86400.0 * n / :occurrences)
           AS at
FROM generate_series(0, :occurrences - 1) AS n;

CREATE TEMPORARY TABLE history_incident AS
SELECT o.k, s.service_id, s.name AS service, o.at AS opened_at, platform_first_id(o.at) AS id,
       nextval('incident_number') AS number
FROM history_occurrence o JOIN history_service s ON s.n = o.k % :history_services
WHERE o.n % (:occurrences / :incidents) = 0;
CREATE INDEX ON history_incident (k);
ANALYZE history_occurrence, history_incident;

INSERT INTO ingest_alert (id, integration_id, service_id, fingerprint, open_key, status, severity,
    summary, labels, annotations, generator_url, starts_at, ends_at, first_seen_at, last_seen_at,
    times_seen)
SELECT overlay(CAST(platform_first_id(o.at) AS TEXT) PLACING lpad(to_hex(o.n), 12, '0') FROM 25)::uuid,
       s.integration_id, s.service_id, md5(CAST(o.n AS TEXT)), NULL, 'resolved',
       (ARRAY['critical', 'error', 'warning', 'info'])[1 + o.n % 4],
       'HighErrorRate on ' || s.name,
       '{"alertname":"HighErrorRate","service":"' || s.name || '","instance":"10.0.'
           || (o.n % 250) || '.' || (o.n % 97) || ':9100","env":"prod","cluster":"eu-'
           || (o.n % 3) || '","severity":"critical"}',
       '{"summary":"5xx above 2% for 5 minutes","runbook_url":"https://runbooks.example.com/errors"}',
       'http://prometheus.example.com/graph?g0.expr=rate%28http_requests_total%5B5m%5D%29',
       o.at, o.at + INTERVAL '10 minutes', o.at, o.at + INTERVAL '10 minutes', 3
FROM history_occurrence o JOIN history_service s ON s.n = o.k % :history_services;

INSERT INTO incident (id, number, title, service_id, group_key, open_key, status, severity,
    severity_by_hand, probable_cause_service_id, alert_count, firing_count, opened_at,
    acknowledged_at, resolved_at, resolved_by, updated_at)
SELECT id, number, 'HighErrorRate on ' || service, service_id, 'alertname=HighErrorRate', NULL,
       'resolved', 'critical', FALSE, service_id, :occurrences / :incidents, 0, opened_at,
       opened_at + INTERVAL '4 minutes', opened_at + INTERVAL '40 minutes', 'integration',
       opened_at + INTERVAL '40 minutes'
FROM history_incident;

INSERT INTO incident_service (incident_id, service_id, alert_count, firing_count, first_alert_at)
SELECT id, service_id, :occurrences / :incidents, 0, opened_at FROM history_incident;

INSERT INTO incident_alert (alert_id, incident_id, service_id, fingerprint, summary, severity,
    role, status, attached_at, resolved_at)
SELECT overlay(CAST(platform_first_id(o.at) AS TEXT) PLACING lpad(to_hex(o.n), 12, '0') FROM 25)::uuid,
       h.id, h.service_id, md5(CAST(o.n AS TEXT)), 'HighErrorRate on ' || h.service,
       (ARRAY['critical', 'error', 'warning', 'info'])[1 + o.n % 4],
       CASE WHEN o.n % (:occurrences / :incidents) = 0 THEN 'trigger' ELSE 'grouped' END,
       'resolved', o.at, o.at + INTERVAL '10 minutes'
FROM history_occurrence o JOIN history_incident h ON h.k = o.k;

INSERT INTO incident_timeline (id, incident_id, at, kind, actor_kind, actor_name, message,
    alert_count)
SELECT overlay(CAST(platform_first_id(h.opened_at + e.after) AS TEXT)
               PLACING lpad(to_hex(h.k * 8 + e.step), 12, '0') FROM 25)::uuid,
       h.id, h.opened_at + e.after, e.kind, e.actor_kind, e.actor_name, e.message, e.alerts
FROM history_incident h
CROSS JOIN (VALUES (0, INTERVAL '0 minutes', 'opened', 'integration', 'prom', 'Opened', 1),
                   (1, INTERVAL '1 minute', 'alerts_attached', 'integration', 'prom',
                    'Alerts attached', :occurrences / :incidents - 1),
                   (2, INTERVAL '4 minutes', 'acknowledged', 'tocsin', 'Tocsin', 'Acknowledged',
                    NULL),
                   (3, INTERVAL '30 minutes', 'alerts_resolved', 'integration', 'prom',
                    'Alerts resolved', :occurrences / :incidents),
                   (4, INTERVAL '40 minutes', 'resolved', 'tocsin', 'Tocsin', 'Resolved', NULL))
     AS e(step, after, kind, actor_kind, actor_name, message, alerts);

-- The dashboard's volume chart and the noisiest-alerts report read these, compacted as
-- ingestion's housekeeping leaves them: one row per 10 minutes, service and alertname.
INSERT INTO ingest_alert_volume (bucket_at, service_id, alertname, alerts, compacted)
SELECT to_timestamp(floor(extract(epoch FROM first_seen_at) / 600) * 600), service_id,
       'HighErrorRate', count(*), TRUE
FROM ingest_alert
WHERE service_id IN (SELECT service_id FROM history_service)
GROUP BY 1, 2;

-- A year-old database has its old rows vacuumed (hint bits set, pages all-visible) and written out
-- long ago; a freshly loaded one would spend the measured minutes doing it.
VACUUM (FREEZE, ANALYZE);
CHECKPOINT;
