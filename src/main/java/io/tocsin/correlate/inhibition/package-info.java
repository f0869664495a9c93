@NullMarked
package io.tocsin.correlate.inhibition;

import org.jspecify.annotations.NullMarked;
