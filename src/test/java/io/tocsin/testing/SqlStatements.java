package io.tocsin.testing;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.util.DriverDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The SQL statements every Tocsin of this test run sent to each database, and which test classes
 * sent them: the proof that the suite runs each of Tocsin's statements on H2 and on PostgreSQL
 * although most classes run on one database only. Written when the JVM exits to {@code
 * target/sql-statements/<database>-<fork>.tsv}, one statement a line (its text with placeholder
 * lists folded, where it comes from, the classes that sent it); {@code .ci/sql-coverage} compares
 * the databases, each fork's files together.
 */
public final class SqlStatements {

  /** Where the files go; Surefire runs the tests in the project's directory. */
  static final Path DIRECTORY = Path.of("target", "sql-statements");

  /** Surefire's number for this test JVM, so that two forks do not write one file. */
  private static final String FORK = System.getProperty("tocsin.test.fork", "1");

  private static final Pattern SPACE = Pattern.compile("\\s+");

  /** {@code ?, ?, ?}: the expansion of a list parameter, whose length is the caller's. */
  private static final Pattern PLACEHOLDERS = Pattern.compile("\\?(?:\\s*,\\s*\\?)+");

  /** {@code (?…), (?…)}: the rows of a multi-row insert. */
  private static final Pattern ROWS = Pattern.compile("(\\(\\?…\\))(?:\\s*,\\s*\\(\\?…\\))+");

  /**
   * By database, each statement and origin, and the classes that sent it from there: two Tocsin
   * classes that send one text are two lines, so neither hides whether the other ran.
   */
  private static final Map<TestDatabase, Map<Sent, Set<String>>> SENT = new ConcurrentHashMap<>();

  private static volatile String testClass = "(no test class)";

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(SqlStatements::write));
  }

  private SqlStatements() {}

  /**
   * Counts the statements sent from a test class's start until the next class's start as that
   * class's, whichever engine runs it (registered in {@code META-INF/services}).
   */
  public static final class Attribution implements TestExecutionListener {
    @Override
    public void executionStarted(TestIdentifier test) {
      test.getSource()
          .filter(ClassSource.class::isInstance)
          .ifPresent(source -> testClass = ((ClassSource) source).getJavaClass().getSimpleName());
    }
  }

  private record Sent(String statement, String origin) {}

  /** Add to a Tocsin's sources: its connection pool's connections record what they prepare. */
  @Configuration(proxyBeanMethods = false)
  public static class Recording {

    @Bean
    static BeanPostProcessor recordSqlStatements() {
      return new BeanPostProcessor() {
        @Override
        public Object postProcessAfterInitialization(Object bean, String name) {
          if (bean instanceof HikariDataSource pool) {
            // The pool opens lazily: its connections come from here once they are first asked for.
            pool.setDataSource(
                recording(
                    new DriverDataSource(
                        pool.getJdbcUrl(),
                        pool.getDriverClassName(),
                        pool.getDataSourceProperties(),
                        pool.getUsername(),
                        pool.getPassword()),
                    pool.getJdbcUrl().startsWith("jdbc:postgresql:")
                        ? TestDatabase.POSTGRESQL
                        : TestDatabase.H2));
          }
          return bean;
        }
      };
    }
  }

  private static DataSource recording(DataSource real, TestDatabase database) {
    return proxy(
        DataSource.class,
        real,
        (method, args, result) ->
            result instanceof Connection connection ? connection(connection, database) : result);
  }

  private static Connection connection(Connection real, TestDatabase database) {
    return proxy(
        Connection.class,
        real,
        (method, args, result) -> {
          if (method.getName().startsWith("prepare")) {
            recordFirst(database, args);
          }
          return result instanceof Statement statement && !(result instanceof PreparedStatement)
              ? statement(statement, database)
              : result;
        });
  }

  private static Statement statement(Statement real, TestDatabase database) {
    return proxy(
        Statement.class,
        real,
        (method, args, result) -> {
          if (method.getName().startsWith("execute") || method.getName().equals("addBatch")) {
            recordFirst(database, args);
          }
          return result;
        });
  }

  private static void recordFirst(TestDatabase database, Object @Nullable [] args) {
    if (args != null && args.length > 0 && args[0] instanceof String sql) {
      record(database, sql);
    }
  }

  private static void record(TestDatabase database, String sql) {
    SENT.computeIfAbsent(database, d -> new ConcurrentHashMap<>())
        .computeIfAbsent(new Sent(fold(sql), origin()), s -> ConcurrentHashMap.newKeySet())
        .add(testClass);
  }

  /** One line of text, placeholder lists and inserted rows folded to one. */
  static String fold(String sql) {
    String line = SPACE.matcher(sql.strip()).replaceAll(" ");
    line = PLACEHOLDERS.matcher(line).replaceAll("?…");
    line = line.replace("(?)", "(?…)");
    return ROWS.matcher(line).replaceAll("$1…");
  }

  /**
   * Who sent it: Flyway (its statements differ by database on purpose), Spring Modulith's event
   * registry, a test's own query through Tocsin's pool, or the first Tocsin class on the stack.
   */
  private static String origin() {
    return StackWalker.getInstance()
        .walk(
            frames ->
                frames
                    .map(StackWalker.StackFrame::getClassName)
                    .filter(
                        name ->
                            name.startsWith("org.flywaydb.")
                                || name.startsWith("org.springframework.modulith.")
                                || (name.startsWith("io.tocsin.")
                                    && !name.startsWith("io.tocsin.testing.")))
                    .findFirst()
                    .map(
                        name ->
                            name.startsWith("org.flywaydb.")
                                ? "flyway"
                                : name.startsWith("org.springframework.modulith.")
                                    ? "modulith"
                                    : name.endsWith("Tests")
                                        ? "test"
                                        : name.substring(name.lastIndexOf('.') + 1))
                    .orElse("other"));
  }

  private static void write() {
    try {
      Files.createDirectories(DIRECTORY);
      for (Map.Entry<TestDatabase, Map<Sent, Set<String>>> database : SENT.entrySet()) {
        List<String> lines = new ArrayList<>();
        database
            .getValue()
            .forEach(
                (sent, classes) ->
                    lines.add(
                        sent.statement()
                            + "\t"
                            + sent.origin()
                            + "\t"
                            + String.join(",", new TreeSet<>(classes))));
        lines.sort(null);
        Files.write(
            DIRECTORY.resolve(
                database.getKey().name().toLowerCase(Locale.ROOT) + "-" + FORK + ".tsv"),
            lines);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What a proxied call returns, given the real call's result. */
  private interface Calls {
    @Nullable Object returning(Method method, Object @Nullable [] args, @Nullable Object result);
  }

  @SuppressWarnings("unchecked")
  private static <T> T proxy(Class<T> type, T real, Calls calls) {
    InvocationHandler handler =
        (self, method, args) -> {
          try {
            return calls.returning(method, args, method.invoke(real, args));
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        };
    return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
  }
}
