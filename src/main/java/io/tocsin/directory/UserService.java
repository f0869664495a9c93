package io.tocsin.directory;

import io.tocsin.platform.ConflictException;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.NotFoundException;
import io.tocsin.platform.Page;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.util.IdGenerator;

/**
 * UserService creates, changes and removes users, checks their input, keeps at least one admin, and
 * records every change in the {@link AuditLog}.
 */
@Service
public class UserService {

  public static final int MINIMUM_PASSWORD_LENGTH = 12;

  /** BCrypt reads only the first 72 bytes; a longer password would be silently truncated. */
  public static final int MAXIMUM_PASSWORD_BYTES = 72;

  private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");

  private final UserRepository users;
  private final PasswordEncoder passwords;
  private final AuditLog audit;
  private final Clock clock;
  private final IdGenerator ids;

  UserService(
      UserRepository users,
      PasswordEncoder passwords,
      AuditLog audit,
      Clock clock,
      IdGenerator ids) {
    this.users = users;
    this.passwords = passwords;
    this.audit = audit;
    this.clock = clock;
    this.ids = ids;
  }

  /** What a new user is made of; the role and time zone are already parsed. */
  public record NewUser(String name, String email, Role role, String timeZone, String password) {}

  /** A partial change: {@code null} leaves a field as it is. */
  public record UserChanges(
      @Nullable String name,
      @Nullable String email,
      @Nullable Role role,
      @Nullable String timeZone,
      @Nullable String password) {}

  @Transactional
  public User create(NewUser request) {
    User user = newUser(request.name(), request.email(), request.role(), request.timeZone());
    insert(user, passwords.encode(validPassword(request.password())));
    audit.record(
        "user.created",
        "user " + user.id(),
        "created " + user.email() + " with role " + user.role().canonical());
    return user;
  }

  /**
   * Creates a user who signs in through an identity provider ({@code via}), at their first sign-in:
   * without a password of Tocsin's, so that the sign-in form never takes one for them.
   */
  @Transactional
  public User createSignedInElsewhere(
      String name, String email, Role role, String timeZone, String via) {
    User user = newUser(name, email, role, timeZone);
    insert(user, null);
    audit.recordAs(
        user.email(),
        "user.created",
        "user " + user.id(),
        "created "
            + user.email()
            + " with role "
            + user.role().canonical()
            + " at their first sign-in through "
            + via);
    return user;
  }

  private User newUser(String name, String email, Role role, String timeZone) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    return new User(
        ids.generateId(),
        validName(name),
        validEmail(email),
        validTimeZone(timeZone),
        role,
        now,
        now);
  }

  private void insert(User user, @Nullable String passwordHash) {
    try {
      users.insert(user, passwordHash);
    } catch (DuplicateKeyException e) {
      throw new ConflictException("A user with email " + user.email() + " already exists.");
    }
  }

  /**
   * Creates the first admin of an installation, once: the {@code directory_setup} row written in
   * the same transaction makes a second attempt (another node, a second browser) fail with 409.
   */
  @Transactional
  public User createFirstAdmin(String name, String email, String password, String timeZone) {
    if (anyAdmin()) {
      throw new ConflictException("Setup is complete: an admin exists. Sign in instead.");
    }
    try {
      users.markSetupComplete(clock.instant());
    } catch (DuplicateKeyException e) {
      throw new ConflictException("Setup is complete: an admin exists. Sign in instead.");
    }
    User admin = create(new NewUser(name, email, Role.ADMIN, timeZone, password));
    audit.record("setup.completed", "user " + admin.id(), "first admin " + admin.email());
    return admin;
  }

  /** Whether {@code password} is the user's current password. */
  public boolean hasPassword(UUID id, String password) {
    return users
        .find(id)
        .map(UserRepository.Row::passwordHash)
        .filter(hash -> passwords.matches(password, hash))
        .isPresent();
  }

  /**
   * The user as a browser session signed in now would carry them: current role and session version;
   * empty once the user is deleted. One read by primary key, made on every request of a session.
   */
  public Optional<SignedInUser> signedIn(UUID id) {
    return users
        .find(id)
        .map(
            row ->
                new SignedInUser(
                    id, row.user().email(), row.user().role(), null, row.sessionVersion()));
  }

  public Optional<User> find(UUID id) {
    return users.find(id).map(UserRepository.Row::user);
  }

  /** The user with this email, in any case. */
  public Optional<User> findByEmail(String email) {
    return users.findByEmail(email).map(UserRepository.Row::user);
  }

  public User get(UUID id) {
    return find(id).orElseThrow(() -> new NotFoundException("There is no user " + id + "."));
  }

  public Page<User> list(@Nullable String nameContains, @Nullable UUID after, int limit) {
    return Page.of(users.list(nameContains, after, limit), limit, User::id);
  }

  public boolean anyAdmin() {
    return users.countAdmins() > 0;
  }

  @Transactional
  public User update(UUID id, UserChanges changes) {
    return update(id, changes, null);
  }

  /**
   * Changes a user on behalf of {@code actor} rather than of the signed-in user: a sign-in through
   * an identity provider, which brings the user's current name, email and groups.
   */
  @Transactional
  public User update(UUID id, UserChanges changes, @Nullable String actor) {
    User before = get(id);
    if (changes.role() != null && before.role() == Role.ADMIN && changes.role() != Role.ADMIN) {
      requireAnotherAdmin("demote");
    }
    User after =
        new User(
            id,
            changes.name() == null ? before.name() : validName(changes.name()),
            changes.email() == null ? before.email() : validEmail(changes.email()),
            changes.timeZone() == null ? before.timeZone() : validTimeZone(changes.timeZone()),
            changes.role() == null ? before.role() : changes.role(),
            before.createdAt(),
            clock.instant().truncatedTo(ChronoUnit.MICROS));
    try {
      users.update(after);
    } catch (DuplicateKeyException e) {
      throw new ConflictException("A user with email " + after.email() + " already exists.");
    }
    if (changes.password() != null) {
      users.updatePassword(
          id, passwords.encode(validPassword(changes.password())), after.updatedAt());
    }
    if (changes.password() != null || before.role() != after.role()) {
      // Sessions carry the role and the proof of password they signed in with: both are void now.
      users.endSessions(id);
    }
    String summary = describeChanges(before, after, changes.password() != null);
    if (!summary.isEmpty()) {
      String kind = before.role() == after.role() ? "user.updated" : "user.role_changed";
      if (actor == null) {
        audit.record(kind, "user " + id, summary);
      } else {
        audit.recordAs(actor, kind, "user " + id, summary);
      }
    }
    return after;
  }

  @Transactional
  public void delete(UUID id) {
    User user = get(id);
    if (user.role() == Role.ADMIN) {
      requireAnotherAdmin("delete");
    }
    users.delete(id);
    audit.record("user.deleted", "user " + id, "deleted " + user.email());
  }

  private void requireAnotherAdmin(String action) {
    if (users.lockAdmins() <= 1) {
      throw new ConflictException(
          "Cannot " + action + " the last admin: make another user admin first.");
    }
  }

  private static String describeChanges(User before, User after, boolean passwordChanged) {
    List<String> changes = new ArrayList<>();
    if (!before.name().equals(after.name())) {
      changes.add("name '" + before.name() + "' -> '" + after.name() + "'");
    }
    if (!before.email().equals(after.email())) {
      changes.add("email " + before.email() + " -> " + after.email());
    }
    if (!before.timeZone().equals(after.timeZone())) {
      changes.add("time zone " + before.timeZone() + " -> " + after.timeZone());
    }
    if (before.role() != after.role()) {
      changes.add("role " + before.role().canonical() + " -> " + after.role().canonical());
    }
    if (passwordChanged) {
      changes.add("password changed");
    }
    return String.join(", ", changes);
  }

  static String validName(String name) {
    String trimmed = Objects.requireNonNull(name).trim();
    if (trimmed.isEmpty() || trimmed.length() > 200) {
      throw new InvalidInputException("name", "must have 1 to 200 characters");
    }
    return trimmed;
  }

  static String validEmail(String email) {
    String trimmed = Objects.requireNonNull(email).trim();
    if (trimmed.length() > 320 || !EMAIL.matcher(trimmed).matches()) {
      throw new InvalidInputException("email", "is not an email address");
    }
    return trimmed;
  }

  static ZoneId validTimeZone(String timeZone) {
    String trimmed = Objects.requireNonNull(timeZone).trim();
    // Region ids only: a fixed offset such as +02:00 knows nothing of daylight saving time, and
    // schedules in that zone would be wrong half of the year.
    if (!ZoneId.getAvailableZoneIds().contains(trimmed)) {
      throw new InvalidInputException(
          "timeZone", "'" + timeZone + "' is not an IANA time zone such as Europe/Berlin or UTC");
    }
    try {
      return ZoneId.of(trimmed);
    } catch (DateTimeException e) {
      throw new InvalidInputException("timeZone", "'" + timeZone + "' is not a valid time zone");
    }
  }

  static String validPassword(String password) {
    if (password.length() < MINIMUM_PASSWORD_LENGTH) {
      throw new InvalidInputException(
          "password", "must have at least " + MINIMUM_PASSWORD_LENGTH + " characters");
    }
    if (password.getBytes(StandardCharsets.UTF_8).length > MAXIMUM_PASSWORD_BYTES) {
      throw new InvalidInputException(
          "password", "must have at most " + MAXIMUM_PASSWORD_BYTES + " bytes in UTF-8");
    }
    return password;
  }
}
