package io.tocsin.ingest.intake;

import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** An ingestion request refused as a whole, answered as a problem with its type and headers. */
public final class IngestRefusal extends ErrorResponseException {

  private final String slug;

  public IngestRefusal(HttpStatus status, String slug, String detail) {
    super(status, problem(status, slug, detail), null);
    this.slug = slug;
  }

  String slug() {
    return slug;
  }

  private static ProblemDetail problem(HttpStatus status, String slug, String detail) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
    problem.setType(URI.create("urn:tocsin:problem:" + slug));
    return problem;
  }
}
