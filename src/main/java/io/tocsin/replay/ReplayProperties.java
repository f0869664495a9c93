package io.tocsin.replay;

import io.tocsin.platform.CheckedSettings;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of replay.
 *
 * @param suggestions whether Tocsin looks every night for dependencies to suggest
 * @param suggestionHour the hour of the day (UTC) of that look, on one node of the cluster
 */
@ConfigurationProperties("tocsin.replay")
public record ReplayProperties(
    @DefaultValue("true") boolean suggestions,
    @DefaultValue("3") @Min(0) @Max(23) int suggestionHour)
    implements CheckedSettings {}
