package io.tocsin.oncall;

import java.time.Instant;
import java.util.UUID;

/** Someone on call for [start, end), and what put them there: a layer's name or "override". */
public record Shift(UUID user, Instant start, Instant end, String source) {}
