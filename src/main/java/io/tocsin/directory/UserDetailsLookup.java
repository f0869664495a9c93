package io.tocsin.directory;

import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.stereotype.Component;

/** Finds a user by email, in any case, for password sign-in. The hash never leaves the module. */
@Component
class UserDetailsLookup implements UserDetailsService {

  private final UserRepository users;

  UserDetailsLookup(UserRepository users) {
    this.users = users;
  }

  @Override
  public UserDetails loadUserByUsername(String email) {
    return users
        .findByEmail(email)
        .map(
            row ->
                new SignedInUser(
                    row.user().id(),
                    row.user().email(),
                    row.user().role(),
                    row.passwordHash(),
                    row.sessionVersion()))
        .orElseThrow(() -> new UsernameNotFoundException("no such user"));
  }
}
