package io.tocsin.ingest;

import io.tocsin.testing.Api;

/**
 * A platform service whose routing integration sends on to a payments and a search service: the
 * setting of the routing tests, through the API and through the console.
 */
public record RoutingPlatform(
    Api.Service platform, String integration, Api.Service payments, Api.Service search) {

  /**
   * The rules that the table of twenty alerts is checked against: drops, a label set on the way, a
   * regular expression per service, and the service label as the last resort.
   */
  public static final String TWENTY_ALERTS_RULES =
      """
      [{"name":"no watchdogs","match":[{"name":"alertname","value":"Watchdog"}],"drop":true},
       {"name":"staging","match":[{"name":"env","value":"staging"}],"drop":true},
       {"name":"team","match":[{"name":"team","operator":"!=","value":""}],
        "setLabels":{"routed":"yes"},"continue":true},
       {"name":"payments","match":[{"name":"job","operator":"=~","value":"pay.*|checkout"}],
        "service":"$payments"},
       {"name":"search","match":[{"name":"job","operator":"=~","value":"search.*"},
                                 {"name":"severity","operator":"!~","value":"info|debug"}],
        "service":"$search","severity":"critical"},
       {"name":"by label","serviceFromLabel":"service"}]
      """;

  /**
   * Creates the three services and the platform's routing integration with {@code rules}, in which
   * {@code $payments} and {@code $search} stand for those services' names.
   */
  public static RoutingPlatform create(Api api, String rules) {
    Api.Service platform = api.service("platform", "");
    Api.Service payments = api.service("payments", "");
    Api.Service search = api.service("search", "");
    String integration =
        api.route(
            platform,
            "{\"rules\":"
                + rules.replace("$payments", payments.name()).replace("$search", search.name())
                + "}");
    return new RoutingPlatform(platform, integration, payments, search);
  }
}
