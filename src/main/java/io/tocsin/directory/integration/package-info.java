/**
 * Integrations, their keys and their grouping. Exposed to ingestion, which checks every presented
 * key here and learns the service (and so the routing) from it, and to correlation, which groups
 * each alert into incidents as its integration says.
 */
@NamedInterface("integration")
@NullMarked
package io.tocsin.directory.integration;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.NamedInterface;
