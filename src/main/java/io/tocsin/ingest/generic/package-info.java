@NullMarked
package io.tocsin.ingest.generic;

import org.jspecify.annotations.NullMarked;
