package io.tocsin.directory;

import io.tocsin.platform.InvalidInputException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/v1/setup}: creates the first admin with the setup token from the server log.
 * Open to anonymous callers (there is nobody to sign in as yet) and answers 409 once an admin
 * exists.
 */
@RestController
class SetupController {

  private final UserService users;
  private final FirstAdmin firstAdmin;

  SetupController(UserService users, FirstAdmin firstAdmin) {
    this.users = users;
    this.firstAdmin = firstAdmin;
  }

  record Setup(
      @NotNull String token,
      @NotNull String name,
      @NotNull String email,
      @NotNull String password,
      @NotNull String timeZone) {}

  @PostMapping("/api/v1/setup")
  ResponseEntity<UserController.UserView> setup(@Valid @RequestBody Setup request) {
    if (!firstAdmin.isSetupToken(request.token())) {
      throw new InvalidInputException("token", "is not this server's setup token (see its log)");
    }
    User admin =
        users.createFirstAdmin(
            request.name(), request.email(), request.password(), request.timeZone());
    return ResponseEntity.created(URI.create("/api/v1/users/" + admin.id()))
        .body(UserController.UserView.of(admin));
  }
}
