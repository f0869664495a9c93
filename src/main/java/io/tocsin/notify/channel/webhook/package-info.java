@NullMarked
package io.tocsin.notify.channel.webhook;

import org.jspecify.annotations.NullMarked;
