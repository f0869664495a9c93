@NullMarked
package io.tocsin.ingest.alertmanager;

import org.jspecify.annotations.NullMarked;
