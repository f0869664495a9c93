@NullMarked
package io.tocsin.ingest.change;

import org.jspecify.annotations.NullMarked;
