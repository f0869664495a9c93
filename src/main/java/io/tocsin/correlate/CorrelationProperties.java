package io.tocsin.correlate;

import io.tocsin.platform.CheckedSettings;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of correlation.
 *
 * @param mergeWindow how long after a service's incident opened a new incident of a service it
 *     depends on takes it over
 * @param inferenceWindow a silent cause is inferred when incidents open within this window on at
 *     least {@code inferenceMinServices} services that share a dependency with no incident of its
 *     own
 * @param inferenceMinServices how many failing services must share the dependency
 * @param recheckInterval how often each node looks again at the alerts a silence or an inhibition
 *     holds, to correlate those it no longer holds (read by its {@code @Scheduled})
 */
@ConfigurationProperties("tocsin.correlation")
public record CorrelationProperties(
    @DefaultValue("10m") @DurationMin(nanos = 0, inclusive = false) @DurationMax(days = 1)
        Duration mergeWindow,
    @DefaultValue("60s") @DurationMin(nanos = 0, inclusive = false) @DurationMax(days = 1)
        Duration inferenceWindow,
    @DefaultValue("3") @Min(2) @Max(1000) int inferenceMinServices,
    @DefaultValue("30s") @DurationMin(nanos = 0, inclusive = false) @DurationMax(hours = 1)
        Duration recheckInterval)
    implements CheckedSettings {}
