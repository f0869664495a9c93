@NullMarked
package io.tocsin.notify.channel.teams;

import org.jspecify.annotations.NullMarked;
