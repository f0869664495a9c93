@NullMarked
package io.tocsin.oncall.api;

import org.jspecify.annotations.NullMarked;
