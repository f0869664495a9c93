package io.tocsin;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.testing.BothDatabasesTests;
import io.tocsin.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Each module says in its {@code package-info.java} which tables it owns ("Owns the tables …"), so
 * that the next person knows whose code may write a table. This keeps those notes true: every table
 * the migrations create has exactly one owner, whose name it starts with, and no note names a table
 * that does not exist.
 */
class TableOwnershipIntegrationTests extends BothDatabasesTests {

  /** The tables that Flyway and Spring Modulith create for themselves, which no module owns. */
  private static final Set<String> NOT_OURS =
      Set.of("flyway_schema_history", "event_publication", "event_publication_archive");

  private static final Path SOURCES = Path.of("src/main/java/io/tocsin");
  private static final Pattern OWNS =
      Pattern.compile("Owns the tables? (.*?)\\.(?:\\s|$)", Pattern.DOTALL);
  private static final Pattern TABLE = Pattern.compile("\\{@code\\s+(\\w+)}");

  @Test
  void everyTableHasOneOwnerThatTheTableIsNamedAfter() throws IOException {
    Set<String> tables = tables();
    Map<String, List<String>> owners = owners();

    assertThat(new TreeSet<>(difference(tables, owners.keySet())))
        .as("tables that no package-info.java says it owns")
        .isEmpty();
    assertThat(
            owners.entrySet().stream()
                .filter(owner -> owner.getValue().size() > 1)
                .map(owner -> owner.getKey() + " " + owner.getValue())
                .toList())
        .as("tables that more than one module says it owns")
        .isEmpty();
    assertThat(
            owners.entrySet().stream()
                .filter(owner -> !isNamedAfter(owner.getKey(), owner.getValue().get(0)))
                .map(owner -> owner.getKey() + " " + owner.getValue())
                .toList())
        .as("tables whose name does not start with their module's")
        .isEmpty();
    // Only PostgreSQL has every table: it also runs the migrations of db/migration-postgresql.
    if (database == TestDatabase.POSTGRESQL) {
      assertThat(new TreeSet<>(difference(owners.keySet(), tables)))
          .as("tables that a package-info.java names but the migrations do not create")
          .isEmpty();
    }
  }

  private Set<String> tables() {
    List<String> locations = new ArrayList<>(List.of("classpath:db/migration"));
    if (database == TestDatabase.POSTGRESQL) {
      locations.add("classpath:db/migration-postgresql");
    }
    Flyway.configure()
        .dataSource(schema().dataSource())
        .locations(locations.toArray(String[]::new))
        .load()
        .migrate();
    Set<String> tables = new HashSet<>();
    // A partition is part of its table, and owned with it.
    JdbcClient.create(schema().dataSource())
        .sql(
            "SELECT table_name FROM information_schema.tables"
                + " WHERE table_schema = CURRENT_SCHEMA AND table_type = 'BASE TABLE'"
                + (database == TestDatabase.POSTGRESQL
                    ? " AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.relispartition"
                        + " AND c.relname = table_name AND c.relnamespace = CURRENT_SCHEMA::regnamespace)"
                    : ""))
        .query(String.class)
        .list()
        .forEach(table -> tables.add(table.toLowerCase(Locale.ROOT)));
    assertThat(tables).as("the migrations ran").contains("incident", "flyway_schema_history");
    tables.removeAll(NOT_OURS);
    return tables;
  }

  /** Each table named in an ownership note, with the modules whose notes name it. */
  private static Map<String, List<String>> owners() throws IOException {
    Map<String, List<String>> owners = new TreeMap<>();
    List<Path> notes;
    try (Stream<Path> files = Files.walk(SOURCES)) {
      notes = files.filter(file -> file.endsWith("package-info.java")).sorted().toList();
    }
    for (Path note : notes) {
      String module = SOURCES.relativize(note).getName(0).toString();
      String text = Files.readString(note).replaceAll("\\n\\s*\\*", "\n");
      Matcher owns = OWNS.matcher(text);
      while (owns.find()) {
        Matcher table = TABLE.matcher(owns.group(1));
        while (table.find()) {
          owners.computeIfAbsent(table.group(1), t -> new ArrayList<>()).add(module);
        }
      }
    }
    assertThat(owners).as("ownership notes found under " + SOURCES).isNotEmpty();
    return owners;
  }

  private static boolean isNamedAfter(String table, String module) {
    return table.equals(module) || table.startsWith(module + "_");
  }

  private static Set<String> difference(Set<String> from, Set<String> less) {
    Set<String> left = new HashSet<>(from);
    left.removeAll(less);
    return left;
  }
}
