@NullMarked
package io.tocsin.correlate.silence;

import org.jspecify.annotations.NullMarked;
