package io.tocsin.web;

import io.tocsin.directory.integration.Integration;
import java.net.URI;
import java.util.List;

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

  private IntegrationSnippets() {}

  /** One snippet: what it configures and the text to paste. */
  record Snippet(String title, String text) {}

  /**
   * The snippets for {@code integration} as reached at {@code baseUrl} (no trailing slash), with
   * {@code key} in them.
   */
  static List<Snippet> of(Integration integration, String baseUrl, String key) {
    switch (integration.kind()) {
      case ALERTMANAGER:
        return List.of(prometheus(baseUrl, key), alertmanagerWebhook(baseUrl, key));
      case PAGERDUTY:
        return List.of(pagerDutyReceiver(baseUrl, key), pagerDutyCurl(baseUrl, key));
      case GENERIC:
        return List.of(genericCurl(baseUrl, key));
      case HEARTBEAT:
        return List.of(heartbeat(baseUrl, key));
      case GRAFANA:
        return List.of(grafanaContactPoint(baseUrl, key), grafanaProvisioning(baseUrl, key));
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
    return new Snippet(
        "Prometheus, with Tocsin as its Alertmanager (prometheus.yml)",
        "alerting:\n"
            + "  alertmanagers:\n"
            + "    - api_version: v2\n"
            + "      scheme: "
            + base.getScheme()
            + "\n"
            + (path.isEmpty() ? "" : "      path_prefix: " + path + "\n")
            + "      static_configs:\n"
            + "        - targets: [\""
            + base.getHost()
            + ":"
            + port
            + "\"]\n"
            + "      authorization:\n"
            + "        credentials: \""
            + key
            + "\"\n");
  }

  private static Snippet alertmanagerWebhook(String baseUrl, String key) {
    return new Snippet(
        "Alertmanager, forwarding to Tocsin (alertmanager.yml)",
        "receivers:\n"
            + "  - name: tocsin\n"
            + "    webhook_configs:\n"
            + "      - url: "
            + baseUrl
            + "/api/v1/webhooks/alertmanager\n"
            + "        send_resolved: true\n"
            + "        http_config:\n"
            + "          authorization:\n"
            + "            credentials: \""
            + key
            + "\"\n");
  }

  private static Snippet grafanaContactPoint(String baseUrl, String key) {
    return new Snippet(
        "Grafana, a webhook contact point (Alerting, Contact points, Add contact point)",
        "Integration: Webhook\n"
            + "URL: "
            + baseUrl
            + "/api/v1/webhooks/grafana\n"
            + "Optional Webhook settings:\n"
            + "  HTTP Method: POST\n"
            + "  Authorization Header - Scheme: Bearer\n"
            + "  Authorization Header - Credentials: "
            + key
            + "\n"
            + "  (or instead HTTP Basic Authentication: any username, the key as password)\n");
  }

  private static Snippet grafanaProvisioning(String baseUrl, String key) {
    return new Snippet(
        "Grafana, the same contact point provisioned from a file (provisioning/alerting/tocsin.yaml)",
        "apiVersion: 1\n"
            + "contactPoints:\n"
            + "  - orgId: 1\n"
            + "    name: tocsin\n"
            + "    receivers:\n"
            + "      - uid: tocsin\n"
            + "        type: webhook\n"
            + "        settings:\n"
            + "          url: "
            + baseUrl
            + "/api/v1/webhooks/grafana\n"
            + "          httpMethod: POST\n"
            + "          authorization_scheme: Bearer\n"
            + "          authorization_credentials: \""
            + key
            + "\"\n");
  }

  private static Snippet pagerDutyReceiver(String baseUrl, String key) {
    return new Snippet(
        "Any PagerDuty Events API v2 sender, e.g. Alertmanager (alertmanager.yml)",
        "receivers:\n"
            + "  - name: tocsin\n"
            + "    pagerduty_configs:\n"
            + "      - routing_key: \""
            + key
            + "\"\n"
            + "        url: "
            + baseUrl
            + "/v2/enqueue\n");
  }

  private static Snippet pagerDutyCurl(String baseUrl, String key) {
    return new Snippet(
        "PagerDuty Events API v2 with curl",
        "curl -X POST "
            + baseUrl
            + "/v2/enqueue -H \"Content-Type: application/json\" \\\n"
            + "  -d '{\"routing_key\":\""
            + key
            + "\",\"event_action\":\"trigger\",\"dedup_key\":\"disk-db-1\",\n"
            + "       \"payload\":{\"summary\":\"Disk full on db-1\",\"source\":\"db-1\","
            + "\"severity\":\"critical\"}}'\n");
  }

  private static Snippet genericCurl(String baseUrl, String key) {
    return new Snippet(
        "Any HTTP client, with curl",
        "curl -X POST "
            + baseUrl
            + "/api/v1/alerts -H \"Authorization: Bearer "
            + key
            + "\" \\\n"
            + "  -H \"Content-Type: application/json\" \\\n"
            + "  -d '{\"summary\":\"Checkout error rate above 5%\",\"severity\":\"critical\","
            + "\"dedupKey\":\"checkout-errors\"}'\n");
  }

  /** Mail needs no key: the address is the secret, and mail to any other is refused. */
  private static Snippet email(Integration.Email email) {
    String resolves =
        email.resolvePattern() == null
            ? "# No resolve expression is set, so mail only opens and refreshes alerts.\n"
            : "# A subject matching " + email.resolvePattern() + " resolves the alert.\n";
    return new Snippet(
        "Mail to this address (the subject is the alert; the same subject again is the same alert)",
        "To: "
            + email.address()
            + "\n\n# Try it with swaks:\nswaks --to "
            + email.address()
            + " --server <tocsin-host>:<TOCSIN_EMAIL_IN_PORT> \\\n"
            + "  --header \"Subject: Disk full on db-1\" --body \"Only 2% left on /var\"\n"
            + resolves);
  }

  private static Snippet heartbeat(String baseUrl, String key) {
    return new Snippet(
        "A heartbeat from a cron job or script, when it succeeds",
        "curl -fsS " + baseUrl + "/api/v1/heartbeats/" + key + "\n");
  }
}
