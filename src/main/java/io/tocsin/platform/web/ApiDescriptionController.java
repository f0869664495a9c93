package io.tocsin.platform.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The OpenAPI description of {@code /api/v1} and of the other products' APIs that Tocsin speaks
 * (Alertmanager's {@code /api/v2}, PagerDuty's {@code /v2/enqueue}), at {@code /api/openapi} and in
 * YAML beside it, and its interactive page at {@code /api/docs}.
 *
 * <p>The description is generated from the controllers by springdoc in the build, not at run time
 * ({@code ApiDescriptionTests} fails when the committed {@code api/openapi.json} no longer matches
 * the code, and rewrites it): springdoc and the Jackson 2 it brings cost the start about 500
 * classes and their beans, for a document that only changes when the code does. The server only
 * stamps its own version into it, on the first request.
 */
@RestController
class ApiDescriptionController {

  static final String DOCS_PATH = "/api/openapi";
  static final String UI_PATH = "/api/docs";
  static final String DESCRIPTION = "api/openapi.json";
  private static final MediaType YAML = MediaType.parseMediaType("application/yaml");

  private final SingletonSupplier<ObjectNode> description;

  ApiDescriptionController(JsonMapper json, ObjectProvider<BuildProperties> build) {
    this.description =
        SingletonSupplier.of(
            () -> {
              ObjectNode document = (ObjectNode) json.readTree(read(DESCRIPTION));
              BuildProperties properties = build.getIfAvailable();
              if (properties != null && properties.getVersion() != null) {
                ((ObjectNode) document.get("info")).put("version", properties.getVersion());
              }
              return document;
            });
  }

  @GetMapping(value = DOCS_PATH, produces = MediaType.APPLICATION_JSON_VALUE)
  ObjectNode description() {
    return description.obtain();
  }

  @GetMapping(DOCS_PATH + ".yaml")
  ResponseEntity<String> descriptionInYaml() {
    return ResponseEntity.ok()
        .contentType(YAML)
        .body(YAMLMapper.builder().build().writeValueAsString(description.obtain()));
  }

  @GetMapping(value = UI_PATH, produces = MediaType.TEXT_HTML_VALUE)
  String page() {
    return read("api/docs.html");
  }

  private static String read(String resource) {
    try (InputStream in = new ClassPathResource(resource).getInputStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("the build left out " + resource, e);
    }
  }
}
