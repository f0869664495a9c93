package io.tocsin.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;

/**
 * Base of the test classes that share one Tocsin per database: started with {@link
 * TocsinHarness#ADMIN_EMAIL} as its first admin before the class's first test on a database, seeded
 * once, and stopped after its last.
 */
public abstract class HarnessTests extends BothDatabasesTests {

  // Static, and shared by every subclass: Surefire runs one test class at a time, and each class
  // invocation stops its Tocsin before the next one starts.
  protected static TocsinHarness tocsin;

  /** The first admin's API token. */
  protected static String adminToken;

  /** The API as the first admin. */
  protected static Api api;

  /** Settings of this class's Tocsin beyond the harness's defaults. */
  protected Map<String, Object> settings() throws IOException {
    return Map.of();
  }

  /** Sources this class's Tocsin adds to the application, such as a test clock. */
  protected Class<?>[] sources() {
    return new Class<?>[0];
  }

  /** Creates what the class's tests share, once per database, after Tocsin has started. */
  protected void seed() throws IOException {}

  @BeforeEach
  void startTocsinOncePerDatabase() throws IOException {
    if (tocsin != null) {
      return;
    }
    tocsin = TocsinHarness.startWithAdmin(schema(), settings(), sources());
    adminToken = tocsin.adminToken();
    api = new Api(tocsin, adminToken);
    seed();
  }

  /**
   * Another node on this class's database, with {@code settings} (the cluster's shared secret among
   * them), once it reports ready. The caller closes it.
   */
  protected static TocsinHarness anotherNode(Map<String, Object> settings) throws IOException {
    TocsinHarness node =
        TocsinHarness.start(
            schema().url(),
            schema().user(),
            schema().password(),
            Files.createTempDirectory("tocsin-another-node"),
            settings);
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> node.get("/actuator/health/readiness").statusCode() == 200);
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
    return node;
  }

  @AfterParameterizedClassInvocation
  static void stopTocsin() {
    if (tocsin != null) {
      tocsin.close();
      tocsin = null;
      adminToken = null;
      api = null;
    }
  }
}
