package io.tocsin.web;

import io.tocsin.directory.Role;
import io.tocsin.directory.SignedInUser;
import io.tocsin.directory.User;
import io.tocsin.directory.UserService;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/**
 * What every page's layout needs about the viewer: who they are, and whether to offer the actions
 * their role allows. Hiding a button is only a courtesy; the POST behind it checks the role again.
 */
@ControllerAdvice(basePackageClasses = ConsoleModel.class)
class ConsoleModel {

  private final UserService users;

  ConsoleModel(UserService users) {
    this.users = users;
  }

  /**
   * The viewer of a page or an action that needs one, which is every page but sign-in and first-run
   * setup: {@link WebSecurity} lets no one else reach them.
   */
  static SignedInUser signedIn() {
    return Objects.requireNonNull(
        SignedInUser.current(), "WebSecurity lets only signed-in users reach this page");
  }

  /** The viewer's time zone, in which pages show times (UTC before sign-in). */
  @ModelAttribute("zone")
  ZoneId zone() {
    SignedInUser me = SignedInUser.current();
    return me == null
        ? ZoneOffset.UTC
        : users.find(me.id()).map(User::timeZone).orElse(ZoneOffset.UTC);
  }

  @ModelAttribute("me")
  @Nullable SignedInUser me() {
    return SignedInUser.current();
  }

  /** Acknowledge, resolve, silence, override: what a responder may do. */
  @ModelAttribute("canAct")
  boolean canAct() {
    SignedInUser me = SignedInUser.current();
    return me != null && me.role().compareTo(Role.RESPONDER) >= 0;
  }

  /** Users, teams, services, integrations and settings. */
  @ModelAttribute("isAdmin")
  boolean isAdmin() {
    SignedInUser me = SignedInUser.current();
    return me != null && me.role() == Role.ADMIN;
  }
}
