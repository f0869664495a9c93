@NullMarked
package io.tocsin.notify.channel.email;

import org.jspecify.annotations.NullMarked;
