@NullMarked
package io.tocsin.incident.api;

import org.jspecify.annotations.NullMarked;
