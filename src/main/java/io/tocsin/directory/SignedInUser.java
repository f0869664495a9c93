package io.tocsin.directory;

import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.userdetails.UserDetails;

/**
 * The principal of every authenticated request, whether it came with a password, a session or an
 * API token. For a token it is read from the user's row on every request, so a demoted user's
 * tokens are demoted at once. A session keeps the principal of its sign-in, with the user's session
 * version then; the session ends once the row has moved on (see {@link UserService#signedIn}).
 */
public final class SignedInUser implements UserDetails {

  private final UUID id;
  private final String email;
  private final Role role;
  private final @Nullable String passwordHash;
  private final @Nullable Long sessionVersion;

  public SignedInUser(
      UUID id,
      String email,
      Role role,
      @Nullable String passwordHash,
      @Nullable Long sessionVersion) {
    this.id = id;
    this.email = email;
    this.role = role;
    this.passwordHash = passwordHash;
    this.sessionVersion = sessionVersion;
  }

  /** The signed-in user of the current request, if any. */
  public static @Nullable SignedInUser current() {
    var authentication = SecurityContextHolder.getContext().getAuthentication();
    return authentication != null && authentication.getPrincipal() instanceof SignedInUser user
        ? user
        : null;
  }

  public UUID id() {
    return id;
  }

  public String email() {
    return email;
  }

  public Role role() {
    return role;
  }

  /**
   * The user's session version when they signed in with their password; {@code null} for an API
   * token, which is checked against the user's row on every call anyway.
   */
  public @Nullable Long sessionVersion() {
    return sessionVersion;
  }

  @Override
  public Collection<? extends GrantedAuthority> getAuthorities() {
    return List.of(new SimpleGrantedAuthority(role.authority()));
  }

  @Override
  public @Nullable String getPassword() {
    return passwordHash;
  }

  @Override
  public String getUsername() {
    return email;
  }

  @Override
  public String toString() {
    return "SignedInUser[" + email + ", " + role.canonical() + "]";
  }
}
