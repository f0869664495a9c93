@NullMarked
package io.tocsin.platform.database;

import org.jspecify.annotations.NullMarked;
