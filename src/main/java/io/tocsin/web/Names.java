package io.tocsin.web;

import io.tocsin.directory.User;
import io.tocsin.directory.UserService;
import io.tocsin.directory.service.ServiceCatalog;
import java.util.UUID;

/**
 * The names the console shows for people and services that rows refer to: incidents, alerts and
 * audit entries outlive what they name, so a deleted one is said to be deleted, never a bare id.
 */
final class Names {

  static final String DELETED_SERVICE = "deleted service";

  static final String DELETED_USER = "deleted user";

  private Names() {}

  static String service(ServiceCatalog services, UUID id) {
    return services.findName(id).orElse(DELETED_SERVICE);
  }

  static String user(UserService users, UUID id) {
    return users.find(id).map(User::name).orElse(DELETED_USER);
  }
}
