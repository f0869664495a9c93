package io.tocsin.correlate.inhibition;

import io.swagger.v3.oas.annotations.Operation;
import io.tocsin.correlate.InhibitionRule;
import io.tocsin.correlate.InhibitionRules;
import io.tocsin.correlate.InhibitionRules.RuleInput;
import io.tocsin.correlate.MatcherJson;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Inhibition rules: configuration, so admins change them and everyone may read them. */
@RestController
class InhibitionRuleController {

  private final InhibitionRules rules;

  InhibitionRuleController(InhibitionRules rules) {
    this.rules = rules;
  }

  record RuleRequest(
      @Nullable String name,
      @Nullable List<MatcherJson> sourceMatchers,
      @Nullable List<MatcherJson> targetMatchers,
      @Nullable List<String> equal) {}

  record RuleView(
      UUID id,
      String name,
      List<MatcherJson> sourceMatchers,
      List<MatcherJson> targetMatchers,
      List<String> equal,
      Instant createdAt) {}

  record Rules(List<RuleView> items) {}

  @PreAuthorize("hasRole('VIEWER')")
  @GetMapping("/api/v1/inhibition-rules")
  Rules list() {
    return new Rules(rules.list().stream().map(InhibitionRuleController::view).toList());
  }

  @PreAuthorize("hasRole('VIEWER')")
  @GetMapping("/api/v1/inhibition-rules/{id}")
  RuleView get(@PathVariable UUID id) {
    return view(rules.get(id));
  }

  @Operation(
      summary = "Add an inhibition rule",
      description =
          "While an alert matching sourceMatchers fires, alerts matching targetMatchers whose"
              + " equal labels have the same values are inhibited: stored, marked, paging nobody.")
  @PreAuthorize("hasRole('ADMIN')")
  @PostMapping("/api/v1/inhibition-rules")
  @ResponseStatus(HttpStatus.CREATED)
  RuleView create(@RequestBody RuleRequest request) {
    return view(
        rules.create(
            new RuleInput(
                request.name(),
                MatcherJson.parse("sourceMatchers", request.sourceMatchers()),
                MatcherJson.parse("targetMatchers", request.targetMatchers()),
                request.equal() == null ? List.of() : request.equal())));
  }

  @PreAuthorize("hasRole('ADMIN')")
  @DeleteMapping("/api/v1/inhibition-rules/{id}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void delete(@PathVariable UUID id) {
    rules.delete(id);
  }

  private static RuleView view(InhibitionRule rule) {
    return new RuleView(
        rule.id(),
        rule.name(),
        MatcherJson.of(rule.sourceMatchers()),
        MatcherJson.of(rule.targetMatchers()),
        rule.equal(),
        rule.createdAt());
  }
}
