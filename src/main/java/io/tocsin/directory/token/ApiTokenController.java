package io.tocsin.directory.token;

import io.tocsin.directory.SignedInUser;
import io.tocsin.platform.Page;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/v1/tokens}: every user creates, lists and revokes their own tokens. Creating one is
 * the only call that accepts HTTP basic credentials, so a script can get its first token.
 */
@RestController
@RequestMapping("/api/v1/tokens")
class ApiTokenController {

  private final ApiTokenService tokens;

  ApiTokenController(ApiTokenService tokens) {
    this.tokens = tokens;
  }

  /**
   * {@code readOnly}: the token may only read; every request that changes something gets 403.
   * {@code teams}: the token acts only on these teams' services (and an admin's acts as a responder
   * there); left out, it acts wherever its owner may.
   */
  record CreateToken(
      @NotNull String name,
      @Nullable Instant expiresAt,
      @Nullable Boolean readOnly,
      @Nullable List<UUID> teams) {}

  record CreatedToken(
      UUID id,
      String name,
      String token,
      Instant createdAt,
      @Nullable Instant expiresAt,
      boolean readOnly,
      @Nullable List<UUID> teams) {}

  @PostMapping
  @PreAuthorize("hasRole('VIEWER')")
  ResponseEntity<CreatedToken> create(@Valid @RequestBody CreateToken request) {
    ApiTokenService.IssuedToken issued =
        tokens.issue(
            me().id(),
            request.name(),
            request.expiresAt(),
            Boolean.TRUE.equals(request.readOnly()),
            request.teams(),
            ApiTokenService.presented());
    ApiTokenService.ApiToken token = issued.token();
    return ResponseEntity.created(URI.create("/api/v1/tokens/" + token.id()))
        .body(
            new CreatedToken(
                token.id(),
                token.name(),
                issued.secret(),
                token.createdAt(),
                token.expiresAt(),
                token.readOnly(),
                token.teams()));
  }

  /**
   * Every user's tokens, with whose each is, when it was last used and whether it is revoked: for
   * an admin to find and revoke ({@code DELETE /api/v1/tokens/{id}}) a token that should not exist.
   */
  @GetMapping("/all")
  @PreAuthorize("hasRole('ADMIN')")
  Page<ApiTokenService.ApiToken> all(
      @RequestParam(required = false) @Nullable String cursor,
      @RequestParam(required = false) @Nullable Integer limit) {
    return tokens.listAll(Page.after(cursor), Page.limit(limit));
  }

  @GetMapping
  @PreAuthorize("hasRole('VIEWER')")
  List<ApiTokenService.ApiToken> list() {
    return tokens.listFor(me().id());
  }

  @DeleteMapping("/{id}")
  @PreAuthorize("hasRole('VIEWER')")
  ResponseEntity<Void> revoke(@PathVariable UUID id) {
    tokens.revoke(id, me());
    return ResponseEntity.noContent().build();
  }

  private static SignedInUser me() {
    SignedInUser user = SignedInUser.current();
    if (user == null) {
      throw new AccessDeniedException("not signed in");
    }
    return user;
  }
}
