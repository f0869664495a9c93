package io.tocsin.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.testing.Api;
import io.tocsin.testing.Browser;
import io.tocsin.testing.BrowserTests;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.IsoFields;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import tools.jackson.databind.JsonNode;

/**
 * Reports and the dashboard's charts in Debian's headless Chromium: the numbers of incidents,
 * alerts and pages created through the API come back in the tables, the charts and the CSV files.
 */
class ReportsBrowserTests extends BrowserTests {

  @Test
  void aTeamsReportCountsItsIncidentsAlertsAndPagesInTablesChartsAndCsv() {
    String me = api.get("/api/v1/users/me").get("id").asString();
    String team = team(Api.unique("sre"));
    String owned = "\"autoResolve\":false,\"ownerTeamId\":\"" + team + "\"";
    Api.Service checkout = api.service("checkout", owned);
    Api.Service search = api.service("search", owned);
    pageThrough(checkout, "reports", me);
    String noisy = Api.unique("DiskFull");
    String quiet = Api.unique("SlowSearch");
    // Three instances of one alertname group into one incident; the report still counts three.
    api.fire(
        checkout,
        Api.alert(noisy, "severity", "critical", "instance", "db-1"),
        Api.alert(noisy, "severity", "critical", "instance", "db-2"),
        Api.alert(noisy, "severity", "critical", "instance", "db-3"));
    api.fire(search, Api.alert(quiet, "severity", "warning"));
    JsonNode critical = onlyIncident(checkout);
    JsonNode warning = onlyIncident(search);
    // Paged when the incident opened; acknowledging first would leave nobody paged.
    org.awaitility.Awaitility.await()
        .atMost(Browser.WAIT)
        .until(
            () ->
                api.get("/api/v1/incidents/" + critical.get("id").asString() + "/timeline")
                    .toString()
                    .contains("\"paged\""));
    api.ok(
        "PATCH",
        "/api/v1/incidents/" + critical.get("id").asString(),
        "{\"status\":\"acknowledged\"}");
    api.ok(
        "PATCH", "/api/v1/incidents/" + warning.get("id").asString(), "{\"status\":\"resolved\"}");

    signIn();
    browser.get(tocsin.uri("/reports?team=" + team).toString());
    String week =
        LocalDate.now(ZoneOffset.UTC)
            .with(java.time.temporal.TemporalAdjusters.previousOrSame(java.time.DayOfWeek.MONDAY))
            .toString();
    List<List<String>> weeks = rows("weeks");
    assertThat(weeks).as("twelve weeks by default, the quiet ones too").hasSize(12);
    assertThat(weeks.get(11))
        .as("this week: two incidents, one critical, one warning")
        .containsExactly(week, "2", "1", "0", "1", "0");
    assertThat(weeks.subList(0, 11)).allSatisfy(other -> assertThat(other.get(1)).isEqualTo("0"));
    List<String> times = rows("times").get(11);
    assertThat(times.subList(0, 2)).containsExactly(week, "2");
    assertThat(times.get(2)).as("MTTA p50 of the acknowledged incident").isNotEqualTo("—");
    assertThat(times.get(4)).as("MTTR p50 of the resolved incident").isNotEqualTo("—");
    assertThat(rows("noisy"))
        .containsExactly(List.of(noisy, checkout.name(), "3"), List.of(quiet, search.name(), "1"));
    assertThat(rows("load").get(0).subList(0, 2))
        .as("the admin was paged once, for the checkout incident")
        .containsExactly("Administrator", "1");
    for (String chart : List.of("times-chart", "weeks-chart", "noisy-chart", "load-chart")) {
      wait(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#" + chart + " canvas")));
    }
    assertThat(browser.findElement(By.id("from")).getAttribute("value"))
        .as("twelve weeks from a Monday by default")
        .isEqualTo(LocalDate.parse(week).minusWeeks(11).toString());
    assertAccessible("reports");

    String csv = download("Download the noisiest alerts as CSV");
    assertThat(csv.lines().toList())
        .containsExactly(
            "alertname,service,alerts",
            noisy + "," + checkout.name() + ",3",
            quiet + "," + search.name() + ",1");
    List<String> perWeek = download("Download incidents per week as CSV").lines().toList();
    assertThat(perWeek).hasSize(13).endsWith(week + ",2,1,0,1,0");
    assertThat(perWeek.get(0)).isEqualTo("week,incidents,critical,error,warning,info");
    List<String> responseTimes = download("Download MTTA and MTTR as CSV").lines().toList();
    assertThat(responseTimes.get(0))
        .isEqualTo(
            "week,incidents,mtta_p50_seconds,mtta_p90_seconds,mttr_p50_seconds,mttr_p90_seconds");
    assertThat(responseTimes.get(12)).matches(week + ",2,\\d+,\\d+,\\d+,\\d+");
    assertThat(download("Download the on-call load as CSV"))
        .startsWith(
            "person,time_zone,pages,working_hours,outside_working_hours\nAdministrator,UTC,1,");

    browser.get(tocsin.uri("/reports?team=" + team + "&service=" + search.id()).toString());
    assertThat(rows("noisy")).containsExactly(List.of(quiet, search.name(), "1"));
    assertThat(browser.findElements(By.id("load"))).as("nobody was paged for search").isEmpty();

    int year = LocalDate.now(ZoneOffset.UTC).get(IsoFields.WEEK_BASED_YEAR);
    browser.get(tocsin.uri("/reports?team=" + team + "&to=" + (year - 1) + "-01-31").toString());
    assertThat(browser.findElements(By.id("weeks"))).as("no incidents last year").isEmpty();
    browser.get(tocsin.uri("/reports?from=yesterday").toString());
    assertThat(browser.findElement(By.id("problem")).getText()).contains("not a date");
    assertAccessible("reports with a refused filter");
  }

  @Test
  void theDashboardChartsTheAlertVolumeAndShowsWhoIsOnCallPerTeam() {
    String me = api.get("/api/v1/users/me").get("id").asString();
    String teamName = Api.unique("platform");
    String team = team(teamName);
    Api.Service service =
        api.service("volume", "\"autoResolve\":false,\"ownerTeamId\":\"" + team + "\"");
    pageThrough(service, "dashboard", me);
    api.fire(service, Api.alert(Api.unique("Volume"), "severity", "info"));
    onlyIncident(service);

    signIn();
    wait(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#volume-chart canvas")));
    String summary = browser.findElement(By.id("volume-summary")).getText();
    assertThat(summary).matches("[1-9]\\d* alerts? received; the busiest 10 minutes, .*");
    assertThat(browser.findElement(By.id("team-oncall")).getText())
        .contains(teamName + ": Administrator");
    assertThat(browser.findElement(By.id("breakers")).getText())
        .isEqualTo("No channel held back by a circuit breaker");
    assertAccessible("dashboard with charts");
  }

  @Test
  void reportsFitAPhoneScreen() {
    browser.manage().window().setSize(new Dimension(360, 780));
    signIn();
    assertFitAPhone(List.of("/reports", "/"));
  }

  /** The cells of a table's body rows. */
  private List<List<String>> rows(String table) {
    return browser.findElements(By.cssSelector("#" + table + " tbody tr")).stream()
        .map(
            row ->
                row.findElements(By.tagName("td")).stream()
                    .map(cell -> cell.getAttribute("textContent").strip())
                    .toList())
        .toList();
  }

  /** Fetches a CSV link with the browser's session; checks it is served as CSV. */
  private String download(String linkText) {
    WebElement link = browser.findElement(By.linkText(linkText));
    Object answer =
        ((JavascriptExecutor) browser)
            .executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                    + "fetch(arguments[0]).then(r => r.text().then(t =>"
                    + " done([r.status, r.headers.get('Content-Type'), t])));",
                link.getAttribute("href"));
    List<?> response = (List<?>) answer;
    assertThat(((Number) response.get(0)).intValue()).as(linkText).isEqualTo(200);
    assertThat((String) response.get(1)).startsWith("text/csv");
    return (String) response.get(2);
  }

  private static JsonNode onlyIncident(Api.Service service) {
    return org.awaitility.Awaitility.await()
        .atMost(Browser.WAIT)
        .until(
            () -> api.get("/api/v1/incidents?service=" + service.id()).get("items"),
            items -> items.size() == 1)
        .get(0);
  }

  /** A new team without members, named {@code name}; returns its id. */
  private static String team(String name) {
    return api.create("/api/v1/teams", "{\"name\":\"%s\",\"members\":[]}".formatted(name))
        .get("id")
        .asString();
  }

  /**
   * Points {@code service} at a new one-level policy, named after {@code prefix}, paging {@code
   * user}.
   */
  private static void pageThrough(Api.Service service, String prefix, String user) {
    String policy =
        api.create(
                "/api/v1/escalation-policies",
                "{\"name\":\"%s\",\"levels\":[{\"delayMinutes\":30,\"targets\":[{\"type\":\"user\",\"id\":\"%s\"}]}]}"
                    .formatted(Api.unique(prefix), user))
            .get("id")
            .asString();
    api.ok(
        "PUT",
        "/api/v1/services/" + service.id() + "/escalation-policy",
        "{\"policyId\":\"" + policy + "\"}");
  }
}
