package io.tocsin.oncall;

import io.tocsin.platform.CheckedSettings;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of escalation.
 *
 * @param firstPageDelay how long after an incident opens its first level is paged; a merge within
 *     it pages nobody twice
 * @param groupDelay how long a new incident of a service with dependencies waits for its cause to
 *     show itself, unless the service sets its own (0 to 600 seconds, as here)
 * @param pollInterval how often each node looks for due steps
 * @param workers threads per node that run due steps
 * @param batchSize due steps one thread runs in one transaction
 */
@ConfigurationProperties("tocsin.escalation")
public record EscalationProperties(
    @DefaultValue("0s") @DurationMin(nanos = 0) @DurationMax(hours = 1) Duration firstPageDelay,
    @DefaultValue("10s") @DurationMin(nanos = 0) @DurationMax(minutes = 10) Duration groupDelay,
    @DefaultValue("1s") @DurationMin(nanos = 0, inclusive = false) @DurationMax(minutes = 1)
        Duration pollInterval,
    @DefaultValue("2") @Min(1) @Max(64) int workers,
    @DefaultValue("100") @Min(1) @Max(10000) int batchSize)
    implements CheckedSettings {}
