@NullMarked
package io.tocsin.notify.action;

import org.jspecify.annotations.NullMarked;
