package io.tocsin.platform;

import java.util.List;
import java.util.Locale;

/**
 * A module's settings record. {@link io.tocsin.platform.config.ConfigurationCheck} binds every
 * record listed under this interface's name in {@code META-INF/spring.factories} before any bean
 * exists, checks the constraints its components declare ({@code jakarta.validation}) and adds
 * {@link #problems()}, so that one message names every bad setting of every module.
 */
public interface CheckedSettings {

  /**
   * The problems no constraint annotation can state, such as a setting bounded by another or the
   * syntax of a list, each worded as {@link #name} begins.
   */
  default List<String> problems() {
    return List.of();
  }

  /**
   * How a problem names a setting: the environment variable first, since that is what operators
   * set, then the property, as in {@code TOCSIN_NOTIFY_WORKERS (tocsin.notify.workers)}.
   */
  static String name(String property) {
    return property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_')
        + " ("
        + property
        + ")";
  }
}
