/**
 * The service catalog and its dependency graph. Exposed read-only in spirit: ingestion names
 * services in its Alertmanager-compatible routing, and correlation follows dependencies.
 */
@NamedInterface("service")
@NullMarked
package io.tocsin.directory.service;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.NamedInterface;
