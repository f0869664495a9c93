@NullMarked
package io.tocsin.notify.channel.slack;

import org.jspecify.annotations.NullMarked;
