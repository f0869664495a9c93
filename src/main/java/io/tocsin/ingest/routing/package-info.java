@NullMarked
package io.tocsin.ingest.routing;

import org.jspecify.annotations.NullMarked;
