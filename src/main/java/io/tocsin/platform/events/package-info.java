@NullMarked
package io.tocsin.platform.events;

import org.jspecify.annotations.NullMarked;
