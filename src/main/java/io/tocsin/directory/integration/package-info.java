/**
 * Integrations and their keys. Exposed to ingestion, which checks every presented key here and
 * learns the service (and so the routing) from it.
 */
@NamedInterface("integration")
@NullMarked
package io.tocsin.directory.integration;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.NamedInterface;
