package io.tocsin.platform.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Replaces Spring Boot's whitelabel error page: errors that reach the servlet container (a filter's
 * {@code sendError}, an exception outside Spring MVC) come out as problem details too.
 */
@RestController
final class ProblemErrorController implements ErrorController {

  private static final Log log = LogFactory.getLog(ProblemErrorController.class);

  private final Problems problems;

  ProblemErrorController(Problems problems) {
    this.problems = problems;
  }

  @RequestMapping("${server.error.path:/error}")
  ResponseEntity<Object> error(HttpServletRequest request) {
    Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    int status = code instanceof Integer number ? number : HttpStatus.INTERNAL_SERVER_ERROR.value();
    Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
    String path = uri == null ? request.getRequestURI() : uri.toString();
    Object failure = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
    if (failure instanceof Throwable throwable) {
      log.error("Unhandled error on " + LoggedPaths.masked(path), throwable);
    }
    ProblemDetail problem =
        ProblemDetail.forStatusAndDetail(HttpStatusCode.valueOf(status), detail(status, path));
    return problems.entity(problem, new HttpHeaders(), path);
  }

  private static String detail(int status, String path) {
    Map<Integer, String> known =
        Map.of(
            404, "There is nothing at " + path + ".",
            405, "This method is not allowed on " + path + ".",
            400, "The request could not be understood.");
    return known.getOrDefault(
        status,
        status >= 500
            ? "Tocsin failed to handle this request. The server log has the details under this"
                + " request's id."
            : HttpStatusText.of(status) + ".");
  }
}
