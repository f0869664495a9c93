@NullMarked
package io.tocsin.ingest.pagerduty;

import org.jspecify.annotations.NullMarked;
