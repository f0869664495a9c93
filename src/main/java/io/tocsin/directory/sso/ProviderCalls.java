package io.tocsin.directory.sso;

import java.net.http.HttpClient;
import java.time.Duration;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.converter.FormHttpMessageConverter;
import org.springframework.security.oauth2.client.http.OAuth2ErrorResponseErrorHandler;
import org.springframework.security.oauth2.core.http.converter.OAuth2AccessTokenResponseHttpMessageConverter;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

/**
 * The HTTP clients of every call Tocsin makes to a provider: discovery, the code's exchange for
 * tokens, the signing keys and the user info. Spring's defaults wait for ever, so a provider that
 * accepts a connection and then says nothing would hold a sign-in, and its server thread, until the
 * browser gave up; each call here gives up after {@link #TIMEOUT}, and the sign-in page says that
 * the provider cannot be reached.
 */
final class ProviderCalls {

  static final Duration TIMEOUT = Duration.ofSeconds(5);

  private ProviderCalls() {}

  /** For discovery, which reads a JSON document. */
  static RestClient discovery() {
    return RestClient.builder().requestFactory(requests()).build();
  }

  /** For the token endpoint, with the converters and error handling Spring Security expects. */
  static RestClient tokens() {
    return RestClient.builder()
        .requestFactory(requests())
        .configureMessageConverters(
            converters ->
                converters
                    .addCustomConverter(new FormHttpMessageConverter())
                    .addCustomConverter(new OAuth2AccessTokenResponseHttpMessageConverter()))
        .defaultStatusHandler(new OAuth2ErrorResponseErrorHandler())
        .build();
  }

  /** For the keys that sign ID tokens. */
  static RestTemplate keys() {
    return new RestTemplate(requests());
  }

  /** For the user info endpoint, whose errors come in OAuth 2's shape. */
  static RestTemplate userInfo() {
    RestTemplate template = new RestTemplate(requests());
    template.setErrorHandler(new OAuth2ErrorResponseErrorHandler());
    return template;
  }

  private static ClientHttpRequestFactory requests() {
    JdkClientHttpRequestFactory requests =
        new JdkClientHttpRequestFactory(HttpClient.newBuilder().connectTimeout(TIMEOUT).build());
    requests.setReadTimeout(TIMEOUT);
    return requests;
  }
}
