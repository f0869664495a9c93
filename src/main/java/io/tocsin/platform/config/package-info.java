@NullMarked
package io.tocsin.platform.config;

import org.jspecify.annotations.NullMarked;
