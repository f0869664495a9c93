@NullMarked
package io.tocsin.ingest.grafana;

import org.jspecify.annotations.NullMarked;
