package io.tocsin.ingest;

import io.tocsin.platform.CheckedSettings;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of ingestion.
 *
 * @param maxBodySize the largest request body an ingestion endpoint reads (PagerDuty's endpoints
 *     keep PagerDuty's 512 KB)
 * @param severityMapping the operator's own severity words, e.g. {@code sev1=critical,sev2=error}
 * @param writers threads that store ingestion requests, each storing the requests queued together
 *     in one transaction. One makes the largest groups: with two, single-alert requests on eight
 *     connections went in groups of two and each paid for its own transaction (1,151 alerts/s
 *     against 1,479 with one, issue 25); more only help a database with cores to spare
 * @param resolveTimeout how long an Alertmanager API alert sent without {@code endsAt} fires unless
 *     sent again (Alertmanager's {@code resolve_timeout})
 * @param sweepInterval how often each node resolves the alerts whose {@code endsAt} has passed and
 *     looks for heartbeats that stopped (read by their {@code @Scheduled})
 * @param volumeCompactionInterval how often each node folds the alert volume counts of finished
 *     minutes (read by its {@code @Scheduled})
 */
@ConfigurationProperties("tocsin.ingest")
public record IngestProperties(
    @DefaultValue("1MB") DataSize maxBodySize,
    @DefaultValue("") String severityMapping,
    @DefaultValue("1") @Min(1) @Max(64) int writers,
    @DefaultValue("5m") @DurationMin(nanos = 0, inclusive = false) Duration resolveTimeout,
    @DefaultValue("5s") @DurationMin(nanos = 0, inclusive = false) @DurationMax(minutes = 10)
        Duration sweepInterval,
    @DefaultValue("1m") @DurationMin(nanos = 0, inclusive = false) @DurationMax(hours = 1)
        Duration volumeCompactionInterval)
    implements CheckedSettings {

  static final DataSize SMALLEST_BODY = DataSize.ofKilobytes(1);
  static final DataSize LARGEST_BODY = DataSize.ofMegabytes(100);

  @Override
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (maxBodySize.compareTo(SMALLEST_BODY) < 0 || maxBodySize.compareTo(LARGEST_BODY) > 0) {
      problems.add(
          CheckedSettings.name("tocsin.ingest.max-body-size")
              + " is "
              + maxBodySize
              + ": it must be from 1KB to 100MB");
    }
    try {
      SeverityMapping.parse(severityMapping);
    } catch (RuntimeException e) {
      problems.add(
          "TOCSIN_SEVERITY_MAPPING (tocsin.ingest.severity-mapping) is '"
              + severityMapping
              + "': "
              + e.getMessage());
    }
    return problems;
  }
}
