@NullMarked
package io.tocsin.correlate.alertmanager;

import org.jspecify.annotations.NullMarked;
