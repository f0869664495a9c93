package io.tocsin.incident;

import io.tocsin.directory.SignedInUser;
import io.tocsin.platform.EnumText;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** Who did something to an incident: a person, an integration that sent an event, or Tocsin. */
public record Actor(Kind kind, @Nullable UUID id, String name) {

  public enum Kind {
    USER,
    INTEGRATION,
    TOCSIN;

    public String text() {
      return EnumText.canonical(this);
    }
  }

  public static final Actor TOCSIN = new Actor(Kind.TOCSIN, null, "Tocsin");

  public static Actor user(SignedInUser user) {
    return new Actor(Kind.USER, user.id(), user.email());
  }

  public static Actor integration(UUID id) {
    return new Actor(Kind.INTEGRATION, id, "integration " + id);
  }

  /** The person acting, whose teams decide what they may change; null for anything else. */
  public @Nullable UUID userId() {
    return kind == Kind.USER ? id : null;
  }

  /** The signed-in user of this request, or Tocsin outside a request. */
  public static Actor current() {
    SignedInUser user = SignedInUser.current();
    return user == null ? TOCSIN : user(user);
  }
}
