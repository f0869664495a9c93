package io.tocsin.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.testing.Api;
import io.tocsin.testing.BrowserTests;
import io.tocsin.testing.TocsinHarness;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * The on-call pages in Debian's headless Chromium: a schedule's timeline with its final row, an
 * override chosen by dragging across that row and refused when it overlaps, the editor's preview of
 * a layer's on-call window, who each service would page now, calendar addresses, and a phone-sized
 * screen. The admin lives in New York and the schedule in Berlin, so the pages must keep the two
 * zones apart.
 */
class OnCallBrowserTests extends BrowserTests {

  @java.lang.Override
  protected Map<String, Object> settings() {
    return Map.of(
        "tocsin.rate-limit.api-token-per-minute",
        "1000000",
        "tocsin.admin.time-zone",
        "America/New_York");
  }

  @Test
  void aDragAcrossTheFinalRowBecomesAnOverrideThatTakesOverUntilDeleted() {
    String member = Api.unique("Lena");
    String stand = Api.unique("Otto");
    String schedule = schedule(Api.unique("primary"), api.user(member), "2024-01-01T09:00");
    String standId = api.user(stand);
    signIn();

    browser.get(tocsin.uri("/schedules/" + schedule).toString());
    assertThat(text("on-call-now")).isEqualTo(member);
    assertThat(label("track-final")).contains(member).doesNotContain(stand);
    assertThat(text("final-shifts")).contains(member).contains("your time");
    assertThat(text("content"))
        .as("the page names both zones")
        .contains("Europe/Berlin")
        .contains("America/New_York");
    assertThat(browser.findElements(By.cssSelector("#track-final .tl-now")))
        .as("a now marker")
        .hasSize(1);
    assertAccessible("schedule page");

    dragAcrossTheStartOfTheFinalRow();
    assertThat(browser.findElement(By.id("override-start")).getDomProperty("value"))
        .as("the drag filled the form")
        .isNotEmpty();
    assertThat(text("selection")).contains("America/New_York");
    new Select(browser.findElement(By.id("override-user"))).selectByValue(standId);
    browser.findElement(By.xpath("//button[normalize-space()='Create the override']")).click();
    wait(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "in place"));
    assertThat(text("on-call-now")).isEqualTo(stand);
    assertThat(label("track-final")).contains(stand);
    assertThat(label("track-overrides")).contains(stand);
    assertThat(text("overrides")).contains(stand).contains(TocsinHarness.ADMIN_EMAIL);
    assertAccessible("schedule page with an override");

    dragAcrossTheStartOfTheFinalRow();
    browser.findElement(By.xpath("//button[normalize-space()='Create the override']")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("error-start")));
    assertThat(text("error-start")).contains("overlaps");
    assertThat(browser.findElement(By.id("override-start")).getDomAttribute("aria-describedby"))
        .contains("error-start");
    assertAccessible("schedule page with a refused override");

    browser
        .findElement(By.cssSelector("#overrides button[aria-label^='Delete the override of']"))
        .click();
    wait(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "gone"));
    assertThat(text("on-call-now")).isEqualTo(member);
    assertThat(browser.findElements(By.id("overrides"))).isEmpty();
  }

  @Test
  void thePoliciesPageShowsWhoEachServiceWouldPageNowAndTheGaps() {
    String member = Api.unique("Paula");
    String backup = Api.unique("Bert");
    String staffed = schedule(Api.unique("staffed"), api.user(member), "2024-01-01T09:00");
    String empty = schedule(Api.unique("future"), api.user(Api.unique("Fay")), "2099-01-01T09:00");
    String backupId = api.user(backup);
    String policyName = Api.unique("payments-policy");
    String policy =
        api.create(
                "/api/v1/escalation-policies",
                """
                {"name":"%s","repeat":1,"levels":[
                 {"delayMinutes":10,"targets":[{"type":"schedule","id":"%s"}]},
                 {"delayMinutes":20,"targets":[{"type":"user","id":"%s"}]},
                 {"delayMinutes":30,"targets":[{"type":"schedule","id":"%s"}]}]}
                """
                    .formatted(policyName, staffed, backupId, empty))
            .get("id")
            .asString();
    Api.Service paged = api.service("payments", "");
    Api.Service unpaged = api.service("orphan", "");
    api.ok(
        "PUT",
        "/api/v1/services/" + paged.id() + "/escalation-policy",
        "{\"policyId\":\"" + policy + "\"}");
    signIn();

    browser.get(tocsin.uri("/policies").toString());
    String row = service(paged.name());
    assertThat(row).contains("Level 1: " + member).contains("Level 2: " + backup);
    assertThat(row).contains("Level 3: nobody").contains("a gap");
    assertThat(service(unpaged.name())).contains("No escalation policy");
    WebElement section =
        browser.findElement(By.xpath("//section[h3[normalize-space()='" + policyName + "']]"));
    assertThat(section.getText())
        .contains("Runs again 1 time")
        .contains("Used by: " + paged.name())
        .contains("10 min")
        .contains("has nobody on call");
    assertAccessible("policies page");

    section.findElement(By.tagName("a")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("track-final")));
    assertThat(text("on-call-now")).isEqualTo(member);
  }

  @Test
  void theOnCallPageLinksEachScheduleAndHandsOutTheViewersCalendar() {
    String me = api.get("/api/v1/users/me").get("id").asString();
    String name = Api.unique("mine");
    schedule(name, me, "2024-01-01T09:00");
    signIn();

    browser.get(tocsin.uri("/oncall").toString());
    browser.findElement(By.xpath("//button[normalize-space()='Make my calendar address']")).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("feed-url")));
    String feed = browser.findElement(By.id("feed-url")).getDomProperty("value");
    assertThat(feed).matches("http://.+/calendars/[A-Za-z0-9_-]+\\.ics");
    HttpResponse<String> calendar = tocsin.get(URI.create(feed).getPath());
    assertThat(calendar.statusCode()).isEqualTo(200);
    assertThat(calendar.body()).contains("BEGIN:VCALENDAR").contains("On call: " + name);
    assertAccessible("on-call page with a calendar address");

    browser.findElement(By.cssSelector("#schedules")).findElement(By.linkText(name)).click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("track-final")));
    browser
        .findElement(
            By.xpath("//button[normalize-space()=\"Make the schedule's calendar address\"]"))
        .click();
    wait(ExpectedConditions.presenceOfElementLocated(By.id("feed-url")));
    String scheduleFeed = browser.findElement(By.id("feed-url")).getDomProperty("value");
    assertThat(tocsin.get(URI.create(scheduleFeed).getPath()).body()).contains("BEGIN:VCALENDAR");

    browser.findElement(By.id("later")).click();
    wait(ExpectedConditions.urlContains("from="));
    assertThat(browser.findElements(By.cssSelector("#track-final .tl-now")))
        .as("next week has no now marker")
        .isEmpty();
    browser.findElement(By.linkText("14 days")).click();
    wait(ExpectedConditions.urlContains("days=14"));
    assertThat(text("window")).contains("America/New_York");
  }

  @Test
  void daysAndTimesTypedIntoALayersWindowTakeTheHoursOutsideItOutOfThePreview() {
    String member = Api.unique("Wanda");
    String schedule = schedule(Api.unique("office"), api.user(member), "2024-01-01T09:00");
    signIn();

    browser.get(tocsin.uri("/schedules/" + schedule + "/edit").toString());
    wait(page -> !previewed().isEmpty());
    assertThat(previewed()).as("a weekly turn, all the time").hasSizeLessThan(4);
    for (String day : List.of("monday", "tuesday", "wednesday", "thursday", "friday")) {
      browser.findElement(By.id("layer0-window0-" + day)).click();
    }
    // Hours, minutes, then PM where the browser counts to 12: noon either way.
    browser.findElement(By.id("layer0-window0-to")).sendKeys("1200P");
    // One look at the preview: htmx may swap it again between two separate reads.
    wait(
        page -> {
          List<String> shifts = previewed();
          return shifts.size() >= 10
              && shifts.stream().anyMatch(shift -> shift.contains(" 12:00 Europe/Berlin"))
              && shifts.stream()
                  .map(shift -> shift.substring(member.length() + 2, member.length() + 5))
                  .allMatch(List.of("Mon", "Tue", "Wed", "Thu", "Fri")::contains);
        });
    assertAccessible("schedule editor with an on-call window");
  }

  @Test
  void theOnCallPagesFitAPhoneScreen() {
    String schedule =
        schedule(Api.unique("phone"), api.user(Api.unique("Pia")), "2024-01-01T09:00");
    browser.manage().window().setSize(new Dimension(360, 780));
    signIn();
    assertFitAPhone(
        List.of(
            "/oncall", "/schedules/" + schedule, "/schedules/" + schedule + "/edit", "/policies"));
  }

  /** Presses near the start of the window (just before now) and drags a tenth of the way on. */
  private void dragAcrossTheStartOfTheFinalRow() {
    WebElement track = browser.findElement(By.id("track-final"));
    int width = track.getRect().getWidth();
    new Actions(browser)
        .moveToElement(track, -width / 2 + 2, 0)
        .clickAndHold()
        .moveByOffset(width / 10, 0)
        .release()
        .perform();
    wait(ExpectedConditions.textToBePresentInElementLocated(By.id("selection"), "Chosen"));
  }

  /** A schedule of one layer with one member in Berlin; returns its id. */
  private static String schedule(String name, String member, String start) {
    return api.create(
            "/api/v1/schedules",
            """
            {"name":"%s","timeZone":"Europe/Berlin","layers":[{"name":"weekly","members":["%s"],
             "rotation":{"count":1,"unit":"weeks"},"start":"%s","restrictions":[]}]}
            """
                .formatted(name, member, start))
        .get("id")
        .asString();
  }

  /** The final row of the editor's preview: each shift as "who, when", in order. */
  private List<String> previewed() {
    return browser.findElements(By.cssSelector("#preview #track-final .tl-block title")).stream()
        .map(title -> title.getDomProperty("textContent"))
        .toList();
  }

  private String service(String name) {
    return browser.findElement(By.cssSelector("tr[data-service='" + name + "']")).getText();
  }

  private String text(String id) {
    return browser.findElement(By.id(id)).getText();
  }

  private String label(String id) {
    return browser.findElement(By.id(id)).getDomAttribute("aria-label");
  }
}
