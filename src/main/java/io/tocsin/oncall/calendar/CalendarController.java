package io.tocsin.oncall.calendar;

import io.swagger.v3.oas.annotations.Operation;
import io.tocsin.directory.SignedInUser;
import io.tocsin.platform.HttpSecurityContribution;
import io.tocsin.platform.InvalidInputException;
import java.util.UUID;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/** Calendar feed URLs for schedules and for the signed-in user, and the feeds themselves. */
@RestController
class CalendarController {

  private static final MediaType CALENDAR = MediaType.parseMediaType("text/calendar;charset=UTF-8");

  private final CalendarFeeds feeds;

  CalendarController(CalendarFeeds feeds) {
    this.feeds = feeds;
  }

  record FeedUrl(String url) {}

  /** The feeds carry their secret in the URL: calendar apps send no credentials. */
  @Bean
  static HttpSecurityContribution calendarFeedsArePublic() {
    return http ->
        http.authorizeHttpRequests(
            requests ->
                requests
                    .requestMatchers(
                        PathPatternRequestMatcher.withDefaults()
                            .matcher(HttpMethod.GET, "/calendars/{token}.ics"))
                    .permitAll());
  }

  @Operation(
      summary = "A secret iCalendar URL of the schedule's shifts",
      description = "Creating it again replaces the old URL, which stops working.")
  @PreAuthorize("hasRole('VIEWER')")
  @PostMapping("/api/v1/schedules/{id}/calendar-feed")
  @ResponseStatus(HttpStatus.CREATED)
  FeedUrl scheduleFeed(@PathVariable UUID id) {
    return url(feeds.newScheduleFeed(id));
  }

  @Operation(summary = "A secret iCalendar URL of the signed-in user's shifts in every schedule")
  @PreAuthorize("hasRole('VIEWER')")
  @PostMapping("/api/v1/me/calendar-feed")
  @ResponseStatus(HttpStatus.CREATED)
  FeedUrl myFeed() {
    SignedInUser me = SignedInUser.current();
    if (me == null) {
      throw new InvalidInputException("user", "only a signed-in user has shifts");
    }
    return url(feeds.newUserFeed(me.id()));
  }

  @GetMapping("/calendars/{token}.ics")
  ResponseEntity<String> feed(@PathVariable String token) {
    return ResponseEntity.ok().contentType(CALENDAR).body(feeds.render(token));
  }

  private static FeedUrl url(String path) {
    return new FeedUrl(
        ServletUriComponentsBuilder.fromCurrentContextPath().path(path).toUriString());
  }
}
