package io.tocsin.notify.api;

import io.tocsin.directory.Role;
import io.tocsin.directory.SignedInUser;
import io.tocsin.platform.NotFoundException;
import java.util.UUID;
import org.springframework.security.access.AccessDeniedException;

/**
 * The user a {@code /api/v1/users/{user}/…} path names: {@code me}, or an id. People manage their
 * own contact data; admins manage anyone's.
 */
final class UserRef {

  private UserRef() {}

  static UUID resolve(String ref) {
    SignedInUser me = SignedInUser.current();
    if (me == null) {
      throw new AccessDeniedException("Only a signed-in user has contact methods.");
    }
    if (ref.equalsIgnoreCase("me")) {
      return me.id();
    }
    UUID id;
    try {
      id = UUID.fromString(ref.trim());
    } catch (IllegalArgumentException e) {
      throw new NotFoundException("There is no user '" + ref + "': use an id or 'me'.");
    }
    if (!id.equals(me.id()) && me.role() != Role.ADMIN) {
      throw new AccessDeniedException("Only admins manage other people's contact data.");
    }
    return id;
  }
}
