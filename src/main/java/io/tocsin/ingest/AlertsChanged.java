package io.tocsin.ingest;

import java.util.List;

/**
 * What one committed ingestion transaction did: published once per transaction (which stores one
 * request, or several that arrived together) rather than once per alert, so a storm of 50,000
 * alerts is a few hundred durable publications, and a listener sees each batch whole (which is what
 * grouping wants).
 */
public record AlertsChanged(List<AlertChange> changes) {}
