package io.tocsin.platform.web;

import io.tocsin.platform.BodyTooLargeException;
import io.tocsin.platform.ConflictException;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.ForbiddenException;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.NotFoundException;
import io.tocsin.platform.TimeBounds;
import io.tocsin.platform.UnknownValueException;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.TypeMismatchException;
import org.springframework.context.MessageSourceResolvable;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Maps exceptions from controllers to problem details. Syntax errors are 400; well-formed input
 * with bad values is 422 with an {@code errors} list naming each field; a database that went away
 * mid-request is 503 with {@code Retry-After}; anything unexpected is a 500 that shows the request
 * id and nothing of the internals.
 */
@RestControllerAdvice
final class ApiExceptionHandler extends ResponseEntityExceptionHandler {

  private static final Log log = LogFactory.getLog(ApiExceptionHandler.class);
  private static final String DATABASE_RETRY_SECONDS = "5";

  private final Problems problems;

  ApiExceptionHandler(Problems problems) {
    this.problems = problems;
  }

  @Override
  protected ResponseEntity<Object> createResponseEntity(
      @Nullable Object body, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    ProblemDetail problem =
        body instanceof ProblemDetail detail ? detail : ProblemDetail.forStatus(status);
    return problems.entity(problem, headers, path(request));
  }

  @Override
  protected ResponseEntity<Object> handleMethodArgumentNotValid(
      MethodArgumentNotValidException ex,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    List<Map<String, Object>> errors =
        ex.getBindingResult().getAllErrors().stream()
            .map(
                error ->
                    fieldError(
                        error instanceof FieldError field
                            ? field.getField()
                            : error.getObjectName(),
                        message(error)))
            .toList();
    return invalid(errors, headers, request);
  }

  @Override
  protected ResponseEntity<Object> handleHandlerMethodValidationException(
      HandlerMethodValidationException ex,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    List<Map<String, Object>> errors =
        ex.getParameterValidationResults().stream()
            .flatMap(
                result ->
                    result.getResolvableErrors().stream()
                        .map(
                            error ->
                                fieldError(
                                    Objects.requireNonNull(
                                        result.getMethodParameter().getParameterName()),
                                    message(error))))
            .toList();
    return invalid(errors, headers, request);
  }

  @Override
  protected ResponseEntity<Object> handleHttpMessageNotReadable(
      HttpMessageNotReadableException ex,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    for (Throwable c = ex.getCause(); c != null; c = c.getCause()) {
      if (c instanceof BodyTooLargeException tooLarge) {
        return bodyTooLarge(tooLarge, request);
      }
    }
    Throwable cause = ex.getCause();
    if (cause instanceof InvalidFormatException format
        && format.getTargetType() != null
        && format.getTargetType().isEnum()) {
      String field = pathOf(format);
      return unknownValue(
          new UnknownValueException(
              field, String.valueOf(format.getValue()), allowedOf(format.getTargetType())),
          headers,
          request);
    }
    if (cause instanceof MismatchedInputException time
        && time.getTargetType() == Instant.class
        && !time.getPath().isEmpty()) {
      return invalid(List.of(fieldError(pathOf(time), TimeBounds.RANGE)), headers, request);
    }
    if (cause instanceof UnrecognizedPropertyException unknown) {
      return invalid(
          List.of(
              fieldError(
                  pathOf(unknown),
                  "is not a field of this request; known fields: "
                      + unknown.getKnownPropertyIds().stream()
                          .map(Object::toString)
                          .sorted()
                          .collect(Collectors.joining(", ")))),
          headers,
          request);
    }
    if (cause instanceof MismatchedInputException mismatch && !mismatch.getPath().isEmpty()) {
      String field = pathOf(mismatch);
      return invalid(
          List.of(
              fieldError(field, "has the wrong type or shape: " + mismatch.getOriginalMessage())),
          headers,
          request);
    }
    if (cause instanceof InputCoercionException range && !range.getPath().isEmpty()) {
      return invalid(
          List.of(fieldError(pathOf(range), "is out of range: " + range.getOriginalMessage())),
          headers,
          request);
    }
    String detail;
    if (cause instanceof StreamReadException syntax) {
      detail =
          "The request body is not valid JSON: "
              + syntax.getOriginalMessage()
              + (syntax.getLocation() == null
                  ? ""
                  : " (line "
                      + syntax.getLocation().getLineNr()
                      + ", column "
                      + syntax.getLocation().getColumnNr()
                      + ")");
    } else if (cause == null || ex.getMessage() != null && ex.getMessage().contains("missing")) {
      detail = "The request body is missing or empty.";
    } else {
      detail = "The request body cannot be read as JSON.";
    }
    return problems.entity(
        Problems.problem(HttpStatus.BAD_REQUEST, "malformed-body", detail), headers, path(request));
  }

  @Override
  protected ResponseEntity<Object> handleTypeMismatch(
      TypeMismatchException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    Class<?> type = ex.getRequiredType();
    String name = ex.getPropertyName() == null ? "value" : ex.getPropertyName();
    if (type != null && type.isEnum()) {
      return unknownValue(
          new UnknownValueException(name, String.valueOf(ex.getValue()), allowedOf(type)),
          headers,
          request);
    }
    if (type == Instant.class) {
      return invalid(List.of(fieldError(name, TimeBounds.RANGE)), headers, request);
    }
    return invalid(
        List.of(
            fieldError(
                name,
                "'"
                    + ex.getValue()
                    + "' is not a valid "
                    + (type == null ? "value" : type.getSimpleName().toLowerCase()))),
        headers,
        request);
  }

  @ExceptionHandler
  ResponseEntity<Object> bodyTooLarge(BodyTooLargeException ex, WebRequest request) {
    return problems.entity(
        Problems.problem(HttpStatus.CONTENT_TOO_LARGE, "body-too-large", ex.getMessage()),
        new HttpHeaders(),
        path(request));
  }

  @ExceptionHandler(InvalidInputException.class)
  ResponseEntity<Object> invalidInput(InvalidInputException ex, WebRequest request) {
    return invalid(List.of(fieldError(ex.field(), ex.getMessage())), new HttpHeaders(), request);
  }

  @ExceptionHandler(ConflictException.class)
  ResponseEntity<Object> conflict(ConflictException ex, WebRequest request) {
    ProblemDetail problem = Problems.problem(HttpStatus.CONFLICT, "conflict", ex.getMessage());
    ex.properties().forEach(problem::setProperty);
    return problems.entity(problem, new HttpHeaders(), path(request));
  }

  @ExceptionHandler(ForbiddenException.class)
  ResponseEntity<Object> forbidden(ForbiddenException ex, WebRequest request) {
    return problems.entity(
        Problems.problem(HttpStatus.FORBIDDEN, ex.type(), ex.getMessage()),
        new HttpHeaders(),
        path(request));
  }

  @ExceptionHandler(NotFoundException.class)
  ResponseEntity<Object> notFound(NotFoundException ex, WebRequest request) {
    return problems.entity(
        Problems.problem(HttpStatus.NOT_FOUND, "not-found", ex.getMessage()),
        new HttpHeaders(),
        path(request));
  }

  @ExceptionHandler(UnknownValueException.class)
  ResponseEntity<Object> unknownValue(UnknownValueException ex, WebRequest request) {
    return unknownValue(ex, new HttpHeaders(), request);
  }

  /**
   * The database failed under a request that had passed the availability check: the monitor will
   * notice within one probe, and the client is told to retry rather than given a 500.
   */
  @ExceptionHandler({
    DataAccessResourceFailureException.class,
    TransientDataAccessException.class,
    CannotCreateTransactionException.class
  })
  ResponseEntity<Object> databaseFailed(RuntimeException ex, WebRequest request) {
    log.warn("Database failed during a request: " + ex.getMessage());
    HttpHeaders headers = new HttpHeaders();
    headers.set(HttpHeaders.RETRY_AFTER, DATABASE_RETRY_SECONDS);
    ProblemDetail problem =
        Problems.problem(
            HttpStatus.SERVICE_UNAVAILABLE,
            "database-unavailable",
            "Tocsin lost its database while handling this request. Nothing was stored; retry after "
                + DATABASE_RETRY_SECONDS
                + " s.");
    return problems.entity(problem, headers, path(request));
  }

  /**
   * PostgreSQL refuses a NUL character in text (SQLState 22021), which H2 stores. Fields that are
   * checked name themselves; this is the net under the rest, so that it is never a 500.
   */
  @ExceptionHandler(DataAccessException.class)
  ResponseEntity<Object> notStorable(DataAccessException ex, WebRequest request) throws Exception {
    for (Throwable c = ex; c != null; c = c.getCause()) {
      if (c instanceof java.sql.SQLException sql && "22021".equals(sql.getSQLState())) {
        return problems.entity(
            Problems.problem(
                HttpStatus.UNPROCESSABLE_CONTENT,
                "nul-character",
                "A text field contains the NUL character (\\u0000), which cannot be stored."),
            new HttpHeaders(),
            path(request));
      }
    }
    return unexpected(ex, request);
  }

  @ExceptionHandler(Exception.class)
  ResponseEntity<Object> unexpected(Exception ex, WebRequest request) throws Exception {
    if (ex instanceof AccessDeniedException || ex instanceof AuthenticationException) {
      // Spring Security's filter turns these into 401/403; swallowing them here would make a 500.
      throw ex;
    }
    if (ex instanceof org.springframework.web.ErrorResponse) {
      // Spring's own exceptions (404, 405, 415...) carry their status: let the base class map them.
      ResponseEntity<Object> handled = handleException(ex, request);
      if (handled != null) {
        return handled;
      }
    }
    String path = path(request);
    log.error("Unexpected error on " + (path == null ? null : LoggedPaths.masked(path)), ex);
    ProblemDetail problem =
        Problems.problem(
            HttpStatus.INTERNAL_SERVER_ERROR,
            "internal",
            "Tocsin failed to handle this request. The server log has the details under this"
                + " request's id.");
    return problems.entity(problem, new HttpHeaders(), path(request));
  }

  private ResponseEntity<Object> unknownValue(
      UnknownValueException ex, HttpHeaders headers, WebRequest request) {
    ProblemDetail problem =
        Problems.problem(HttpStatus.UNPROCESSABLE_CONTENT, "unknown-value", ex.getMessage());
    problem.setProperty(
        "errors",
        List.of(
            Map.of(
                "field", ex.field(), "message", ex.getMessage(), "allowedValues", ex.allowed())));
    return problems.entity(problem, headers, path(request));
  }

  private ResponseEntity<Object> invalid(
      List<Map<String, Object>> errors, HttpHeaders headers, WebRequest request) {
    ProblemDetail problem =
        Problems.problem(
            HttpStatus.UNPROCESSABLE_CONTENT,
            "validation",
            errors.size() == 1
                ? "One field is invalid: "
                    + errors.get(0).get("field")
                    + " "
                    + errors.get(0).get("message")
                : errors.size() + " fields are invalid.");
    problem.setProperty("errors", errors);
    return problems.entity(problem, headers, path(request));
  }

  private static Map<String, Object> fieldError(String field, String message) {
    return Map.of("field", field, "message", message);
  }

  private static String message(MessageSourceResolvable error) {
    return error.getDefaultMessage() == null ? "is invalid" : error.getDefaultMessage();
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static List<String> allowedOf(Class<?> enumType) {
    return EnumText.allowed((Class) enumType);
  }

  private static String pathOf(JacksonException ex) {
    String path =
        ex.getPath().stream()
            .map(
                reference ->
                    reference.getPropertyName() != null
                        ? "." + reference.getPropertyName()
                        : "[" + reference.getIndex() + "]")
            .collect(Collectors.joining());
    return path.startsWith(".") ? path.substring(1) : path.isEmpty() ? "body" : path;
  }

  private static @Nullable String path(WebRequest request) {
    if (request instanceof ServletWebRequest servlet) {
      HttpServletRequest http = servlet.getRequest();
      return http.getRequestURI();
    }
    return null;
  }
}
