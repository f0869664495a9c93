package io.tocsin.ingest.email;

import io.tocsin.platform.CheckedSettings;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the SMTP listener. The domain of the addresses, {@code tocsin.email-in.domain}, is
 * directory's setting, where the addresses are made.
 *
 * @param port where the listener takes mail; without one there is no listener
 * @param host the address it binds to
 * @param maxMessageSize the largest mail taken, as large as the largest ingestion request
 * @param maxConnections SMTP sessions at once; more wait for the listener's accept queue
 * @param connectionTimeout how long a silent SMTP session is kept open
 */
@ConfigurationProperties("tocsin.email-in")
record EmailInProperties(
    @Nullable @Min(0) @Max(65535) Integer port,
    @DefaultValue("0.0.0.0") String host,
    @DefaultValue("1MB") DataSize maxMessageSize,
    @DefaultValue("20") @Min(1) int maxConnections,
    @DefaultValue("60s") @DurationMin(nanos = 0, inclusive = false) Duration connectionTimeout)
    implements CheckedSettings {}
