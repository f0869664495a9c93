package io.tocsin.directory;

import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.Page;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/users}: admins manage users; everybody reads them and edits their own profile. */
@RestController
@RequestMapping("/api/v1/users")
class UserController {

  private static final SecurityContextRepository SESSIONS =
      new HttpSessionSecurityContextRepository();

  private final UserService users;

  UserController(UserService users) {
    this.users = users;
  }

  record CreateUser(
      @NotNull String name,
      @NotNull String email,
      @NotNull Role role,
      @NotNull String timeZone,
      @NotNull String password) {}

  record ChangeUser(
      @Nullable String name,
      @Nullable String email,
      @Nullable Role role,
      @Nullable String timeZone,
      @Nullable String password,
      @Nullable String currentPassword) {}

  record UserView(
      UUID id,
      String name,
      String email,
      String timeZone,
      Role role,
      Instant createdAt,
      Instant updatedAt) {

    static UserView of(User user) {
      return new UserView(
          user.id(),
          user.name(),
          user.email(),
          user.timeZone().getId(),
          user.role(),
          user.createdAt(),
          user.updatedAt());
    }
  }

  @PostMapping
  @PreAuthorize("hasRole('ADMIN')")
  ResponseEntity<UserView> create(@Valid @RequestBody CreateUser request) {
    User user =
        users.create(
            new UserService.NewUser(
                request.name(),
                request.email(),
                request.role(),
                request.timeZone(),
                request.password()));
    return ResponseEntity.created(URI.create("/api/v1/users/" + user.id())).body(UserView.of(user));
  }

  @GetMapping
  @PreAuthorize("hasRole('VIEWER')")
  Page<UserView> list(
      @RequestParam(required = false) @Nullable String name,
      @RequestParam(required = false) @Nullable String cursor,
      @RequestParam(required = false) @Nullable Integer limit) {
    return users.list(name, Page.after(cursor), Page.limit(limit)).map(UserView::of);
  }

  @GetMapping("/me")
  @PreAuthorize("hasRole('VIEWER')")
  UserView me() {
    return UserView.of(users.get(signedIn().id()));
  }

  @GetMapping("/{id}")
  @PreAuthorize("hasRole('VIEWER')")
  UserView get(@PathVariable UUID id) {
    return UserView.of(users.get(id));
  }

  @PatchMapping("/{id}")
  @PreAuthorize("hasRole('VIEWER')")
  UserView update(
      @PathVariable UUID id,
      @Valid @RequestBody ChangeUser request,
      HttpServletRequest http,
      HttpServletResponse response) {
    SignedInUser me = signedIn();
    if (me.role() != Role.ADMIN) {
      // Everyone edits their own profile; only admins edit others or change roles.
      if (!me.id().equals(id) || request.role() != null) {
        throw new AccessDeniedException("only admins change other users or roles");
      }
    }
    if (request.password() != null
        && me.id().equals(id)
        && (request.currentPassword() == null
            || !users.hasPassword(id, request.currentPassword()))) {
      // A stolen session or token must not be enough to take the account over for good.
      throw new InvalidInputException(
          "currentPassword",
          "is missing or wrong: changing your own password needs the current one");
    }
    User changed =
        users.update(
            id,
            new UserService.UserChanges(
                request.name(),
                request.email(),
                request.role(),
                request.timeZone(),
                request.password()));
    if (me.id().equals(id) && request.password() != null && me.sessionVersion() != null) {
      keepThisSession(me, http, response);
    }
    return UserView.of(changed);
  }

  /**
   * A password change ends every session of the user but the one that made it: that one has just
   * proven the current password. It adopts the new version only if this change alone made it, so
   * that a demotion or another password change at the same moment still ends it.
   */
  private void keepThisSession(
      SignedInUser me, HttpServletRequest request, HttpServletResponse response) {
    users
        .signedIn(me.id())
        .filter(
            now ->
                Objects.equals(
                    now.sessionVersion(), Objects.requireNonNull(me.sessionVersion()) + 1))
        .ifPresent(
            now -> {
              SecurityContext context = SecurityContextHolder.getContext();
              context.setAuthentication(
                  UsernamePasswordAuthenticationToken.authenticated(
                      now, null, now.getAuthorities()));
              SESSIONS.saveContext(context, request, response);
            });
  }

  @DeleteMapping("/{id}")
  @PreAuthorize("hasRole('ADMIN')")
  ResponseEntity<Void> delete(@PathVariable UUID id) {
    users.delete(id);
    return ResponseEntity.noContent().build();
  }

  static SignedInUser signedIn() {
    SignedInUser user = SignedInUser.current();
    if (user == null) {
      throw new AccessDeniedException("not signed in");
    }
    return user;
  }
}
