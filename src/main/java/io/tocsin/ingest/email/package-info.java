/**
 * Mail in: Tocsin's SMTP listener (SubEthaSMTP) for integrations of kind {@code email}. Mail for an
 * address that no email integration has is refused at RCPT time, so the sender's MTA bounces it;
 * each accepted mail becomes one alert per integration it was addressed to, stored before the
 * {@code 250} that answers its data.
 */
@NullMarked
package io.tocsin.ingest.email;

import org.jspecify.annotations.NullMarked;
