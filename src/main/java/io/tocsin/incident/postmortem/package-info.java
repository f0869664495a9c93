/**
 * Postmortems of resolved incidents: started from the incident's timeline, with follow-up actions,
 * the review checklist and a Markdown export. Exposed so that the console can edit them.
 */
@NamedInterface("postmortem")
@NullMarked
package io.tocsin.incident.postmortem;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.NamedInterface;
