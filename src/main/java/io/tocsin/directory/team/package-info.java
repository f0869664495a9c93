/**
 * Teams and their members. Exposed so that notifications can reach a team that subscribed to a
 * service's incidents.
 */
@NamedInterface("team")
@NullMarked
package io.tocsin.directory.team;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.NamedInterface;
