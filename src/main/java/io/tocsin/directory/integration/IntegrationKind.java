package io.tocsin.directory.integration;

/** The wire format an integration receives alerts in. */
public enum IntegrationKind {
  /** Prometheus and amtool through the Alertmanager API v2, and Alertmanager's webhook. */
  ALERTMANAGER,
  /** PagerDuty Events API v2. */
  PAGERDUTY,
  /** Tocsin's own JSON format, for any HTTP client. */
  GENERIC,
  /** A dead-man's switch: an incident opens when its pings stop. */
  HEARTBEAT,
  /** Grafana Alerting's webhook contact point. */
  GRAFANA,
  /** Mail to the integration's own address, through Tocsin's SMTP listener. */
  EMAIL
}
