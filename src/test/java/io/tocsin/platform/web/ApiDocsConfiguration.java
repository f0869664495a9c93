package io.tocsin.platform.web;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import java.util.List;
import org.springframework.context.annotation.Bean;

/**
 * What springdoc adds to the description it generates from the controllers, for {@link
 * ApiDescriptionTests}: the title, how to authenticate, and a server relative to where the
 * description is served. The version is the server's own, stamped in when it serves the document.
 */
class ApiDocsConfiguration {

  @Bean
  OpenAPI tocsinOpenApi() {
    return new OpenAPI()
        .servers(List.of(new Server().url("/")))
        .info(
            new Info()
                .title("Tocsin API")
                .version("dev")
                .description(
                    "Manage users, teams, services and integrations of a Tocsin installation, and send"
                        + " alerts to it."
                        + " Authenticate with a personal API token: Authorization: Bearer tcn_..."
                        + " (create the first one with POST /api/v1/tokens and HTTP basic"
                        + " credentials). Errors are RFC 9457 problem details, except where Tocsin"
                        + " speaks another product's API for that product's clients: /api/v2"
                        + " answers as Alertmanager does (the reason as a JSON string), /v2/enqueue"
                        + " as PagerDuty's Events API does."))
        .components(
            new Components()
                .addSecuritySchemes(
                    "apiToken",
                    new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP)
                        .scheme("bearer")
                        .description("A personal API token (tcn_...)"))
                .addSecuritySchemes(
                    "integrationKey",
                    new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP)
                        .scheme("bearer")
                        .description(
                            "An integration key (tik_...): alerts come in on behalf of the"
                                + " integration's service"))
                .addSecuritySchemes(
                    "integrationKeyBasic",
                    new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP)
                        .scheme("basic")
                        .description(
                            "An integration key as the basic-auth password, with any user name:"
                                + " what Prometheus's basic_auth, amtool's URL credentials and"
                                + " Grafana's data source send")))
        .addSecurityItem(new SecurityRequirement().addList("apiToken"));
  }
}
