@NullMarked
package io.tocsin.oncall.calendar;

import org.jspecify.annotations.NullMarked;
