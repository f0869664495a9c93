@NullMarked
package io.tocsin.notify.channel.ntfy;

import org.jspecify.annotations.NullMarked;
