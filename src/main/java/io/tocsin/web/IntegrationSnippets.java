package io.tocsin.web;

import io.tocsin.directory.integration.Integration;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The configuration a sender needs to reach one integration, ready to paste: Prometheus with Tocsin
 * as its Alertmanager, an Alertmanager webhook or PagerDuty receiver, a Grafana contact point, or
 * curl. The key is sent the way ingestion reads it (bearer token or basic-auth password in {@code
 * Authorization}, {@code routing_key} for PagerDuty, the path for heartbeats); mail needs only the
 * integration's address. Only the HMAC of a key is stored, so the snippets carry {@link #MASKED}
 * unless the key was just created or rotated.
 */
final class IntegrationSnippets {

  /** Stands for a key that can no longer be shown. */
  static final String MASKED = "tik_••••••••";

  /** Where a snippet's template takes a value: a name in braces, such as {@code {key}}. */
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z]+)}");

  private static final Template ALERTMANAGER_WEBHOOK =
      new Template(
          "Alertmanager, forwarding to Tocsin (alertmanager.yml)",
          """
          receivers:
            - name: tocsin
              webhook_configs:
                - url: {url}/api/v1/webhooks/alertmanager
                  send_resolved: true
                  http_config:
                    authorization:
                      credentials: "{key}"
          """);

  private static final Template GRAFANA_CONTACT_POINT =
      new Template(
          "Grafana, a webhook contact point (Alerting, Contact points, Add contact point)",
          """
          Integration: Webhook
          URL: {url}/api/v1/webhooks/grafana
          Optional Webhook settings:
            HTTP Method: POST
            Authorization Header - Scheme: Bearer
            Authorization Header - Credentials: {key}
            (or instead HTTP Basic Authentication: any username, the key as password)
          """);

  private static final Template GRAFANA_PROVISIONING =
      new Template(
          "Grafana, the same contact point provisioned from a file (provisioning/alerting/tocsin.yaml)",
          """
          apiVersion: 1
          contactPoints:
            - orgId: 1
              name: tocsin
              receivers:
                - uid: tocsin
                  type: webhook
                  settings:
                    url: {url}/api/v1/webhooks/grafana
                    httpMethod: POST
                    authorization_scheme: Bearer
                    authorization_credentials: "{key}"
          """);

  private static final Template PAGERDUTY_RECEIVER =
      new Template(
          "Any PagerDuty Events API v2 sender, e.g. Alertmanager (alertmanager.yml)",
          """
          receivers:
            - name: tocsin
              pagerduty_configs:
                - routing_key: "{key}"
                  url: {url}/v2/enqueue
          """);

  private static final Template PAGERDUTY_CURL =
      new Template(
          "PagerDuty Events API v2 with curl",
          """
          curl -X POST {url}/v2/enqueue -H "Content-Type: application/json" \\
            -d '{"routing_key":"{key}","event_action":"trigger","dedup_key":"disk-db-1",
                 "payload":{"summary":"Disk full on db-1","source":"db-1","severity":"critical"}}'
          """);

  private static final Template GENERIC_CURL =
      new Template(
          "Any HTTP client, with curl",
          """
          curl -X POST {url}/api/v1/alerts -H "Authorization: Bearer {key}" \\
            -H "Content-Type: application/json" \\
            -d '{"summary":"Checkout error rate above 5%","severity":"critical","dedupKey":"checkout-errors"}'
          """);

  private static final Template HEARTBEAT =
      new Template(
          "A heartbeat from a cron job or script, when it succeeds",
          """
          curl -fsS {url}/api/v1/heartbeats/{key}
          """);

  private IntegrationSnippets() {}

  /** One snippet: what it configures and the text to paste. */
  record Snippet(String title, String text) {}

  /** A snippet's title and its text with {@code {url}} and {@code {key}} left to fill in. */
  private record Template(String title, String text) {

    Snippet fill(String baseUrl, String key) {
      return snippet(title, text, Map.of("url", baseUrl, "key", key));
    }
  }

  /**
   * The snippets for {@code integration} as reached at {@code baseUrl} (no trailing slash), with
   * {@code key} in them.
   */
  static List<Snippet> of(Integration integration, String baseUrl, String key) {
    switch (integration.kind()) {
      case ALERTMANAGER:
        return List.of(prometheus(baseUrl, key), ALERTMANAGER_WEBHOOK.fill(baseUrl, key));
      case PAGERDUTY:
        return List.of(PAGERDUTY_RECEIVER.fill(baseUrl, key), PAGERDUTY_CURL.fill(baseUrl, key));
      case GENERIC:
        return List.of(GENERIC_CURL.fill(baseUrl, key));
      case HEARTBEAT:
        return List.of(HEARTBEAT.fill(baseUrl, key));
      case GRAFANA:
        return List.of(
            GRAFANA_CONTACT_POINT.fill(baseUrl, key), GRAFANA_PROVISIONING.fill(baseUrl, key));
      case EMAIL:
        return integration.email() == null ? List.of() : List.of(email(integration.email()));
      default:
        return List.of();
    }
  }

  private static Snippet prometheus(String baseUrl, String key) {
    URI base = URI.create(baseUrl);
    String path = base.getPath() == null ? "" : base.getPath();
    // Prometheus needs host:port in targets; the scheme's default port when the URL has none.
    int port = base.getPort() != -1 ? base.getPort() : "https".equals(base.getScheme()) ? 443 : 80;
    Snippet snippet =
        snippet(
            "Prometheus, with Tocsin as its Alertmanager (prometheus.yml)",
            """
            alerting:
              alertmanagers:
                - api_version: v2
                  scheme: {scheme}
                  path_prefix: {path}
                  static_configs:
                    - targets: ["{host}:{port}"]
                  authorization:
                    credentials: "{key}"
            """,
            Map.of(
                "scheme", base.getScheme(),
                "path", path,
                "host", base.getHost(),
                "port", Integer.toString(port),
                "key", key));
    // A Tocsin at the root of its host needs no path_prefix, and an empty one is noise.
    return path.isEmpty()
        ? new Snippet(snippet.title(), snippet.text().replace("      path_prefix: \n", ""))
        : snippet;
  }

  /** Mail needs no key: the address is the secret, and mail to any other is refused. */
  private static Snippet email(Integration.Email email) {
    return snippet(
        "Mail to this address (the subject is the alert; the same subject again is the same alert)",
        """
        To: {address}

        # Try it with swaks:
        swaks --to {address} --server <tocsin-host>:<TOCSIN_EMAIL_IN_PORT> \\
          --header "Subject: Disk full on db-1" --body "Only 2% left on /var"
        {resolves}""",
        Map.of(
            "address",
            email.address(),
            "resolves",
            email.resolvePattern() == null
                ? "# No resolve expression is set, so mail only opens and refreshes alerts.\n"
                : "# A subject matching " + email.resolvePattern() + " resolves the alert.\n"));
  }

  /**
   * A snippet whose text has each of {@code values}' keys in braces replaced by its value, in one
   * pass, so that a value is never read as a placeholder.
   */
  private static Snippet snippet(String title, String template, Map<String, String> values) {
    Matcher placeholder = PLACEHOLDER.matcher(template);
    StringBuilder text = new StringBuilder();
    while (placeholder.find()) {
      String value = Objects.requireNonNull(values.get(placeholder.group(1)), placeholder.group());
      placeholder.appendReplacement(text, Matcher.quoteReplacement(value));
    }
    placeholder.appendTail(text);
    return new Snippet(title, text.toString());
  }
}
