@NullMarked
package io.tocsin.platform.web;

import org.jspecify.annotations.NullMarked;
