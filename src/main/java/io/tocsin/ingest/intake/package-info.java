@NullMarked
package io.tocsin.ingest.intake;

import org.jspecify.annotations.NullMarked;
