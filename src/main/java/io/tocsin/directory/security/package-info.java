@NullMarked
package io.tocsin.directory.security;

import org.jspecify.annotations.NullMarked;
