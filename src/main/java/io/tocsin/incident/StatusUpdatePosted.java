package io.tocsin.incident;

/** Responders told stakeholders where an incident stands: subscribers hear of it. */
public record StatusUpdatePosted(StatusUpdate update, long incidentNumber, String title) {}
