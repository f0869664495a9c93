package io.tocsin.ingest;

import java.util.List;
import java.util.Map;

/**
 * Whether alerts are muted right now, as the correlation module decides (silences, inhibition).
 * Ingestion shows it in the Alertmanager read API without depending on that module: correlation
 * implements this, and without an implementation nothing is muted.
 */
public interface AlertMuting {

  /** The label under which the alert's Tocsin service name is matched, beside its own labels. */
  String SERVICE_LABEL = "tocsin_service";

  /** A firing alert, with {@link #SERVICE_LABEL} among its labels. */
  record Firing(String fingerprint, Map<String, String> labels) {}

  /** The muting in force now among these firing alerts, to ask about each of them. */
  Now now(List<Firing> firing);

  /** Muting at one instant. */
  interface Now {

    /** The ids of the silences that mute an alert with these labels. */
    List<String> silencedBy(Map<String, String> labels);

    /** The fingerprints of the firing alerts that inhibit this one. */
    List<String> inhibitedBy(Firing alert);
  }
}
