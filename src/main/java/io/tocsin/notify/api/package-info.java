@NullMarked
package io.tocsin.notify.api;

import org.jspecify.annotations.NullMarked;
