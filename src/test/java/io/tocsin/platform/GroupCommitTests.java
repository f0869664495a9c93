package io.tocsin.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionCallback;
import org.springframework.transaction.support.TransactionTemplate;

class GroupCommitTests {

  private static final AtomicInteger DATABASES = new AtomicInteger();

  private final AtomicInteger transactionCount = new AtomicInteger();
  private final CountDownLatch writerHeld = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private final Set<String> failOnce = ConcurrentHashMap.newKeySet();
  private JdbcTemplate jdbc;
  private JdbcTemplate outside;
  private GroupCommit<String, String> writer;
  private ExecutorService senders;

  @BeforeEach
  void start() {
    JdbcDataSource dataSource = new JdbcDataSource();
    dataSource.setURL(
        "jdbc:h2:mem:group-commit-" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
    jdbc = new JdbcTemplate(dataSource);
    outside = new JdbcTemplate(dataSource);
    jdbc.execute("CREATE TABLE stored (name VARCHAR(100) PRIMARY KEY)");
    TransactionTemplate transactions =
        new TransactionTemplate(new DataSourceTransactionManager(dataSource)) {
          @Override
          public <T> T execute(TransactionCallback<T> action) {
            transactionCount.incrementAndGet();
            return super.execute(action);
          }
        };
    writer =
        new GroupCommit<>(
            "test-writer",
            transactions,
            group -> group.stream().map(this::store).toList(),
            r -> 1,
            100,
            1,
            Unavailable::new);
    writer.start();
    senders = Executors.newCachedThreadPool();
  }

  @AfterEach
  void stop() {
    release.countDown();
    senders.shutdownNow();
    writer.stop();
  }

  private String store(String request) {
    if (request.equals("hold")) {
      writerHeld.countDown();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    jdbc.update("INSERT INTO stored (name) VALUES (?)", request);
    if (request.startsWith("bad")) {
      throw new IllegalArgumentException(request + " is bad");
    }
    if (failOnce.remove(request)) {
      throw new DuplicateKeyException("another node opened " + request + " first");
    }
    return "stored " + request;
  }

  /** Holds the only writer in a transaction, so that what is sent meanwhile queues up. */
  private Future<String> holdTheWriter() throws InterruptedException {
    Future<String> held = senders.submit(() -> writer.submit("hold"));
    assertThat(writerHeld.await(10, TimeUnit.SECONDS)).isTrue();
    return held;
  }

  private boolean committed(String name) {
    return outside.queryForObject("SELECT COUNT(*) FROM stored WHERE name = ?", Integer.class, name)
        == 1;
  }

  @Test
  void requestsSentTogetherShareATransactionAndHearBackOnlyAfterItsCommit() throws Exception {
    Future<String> held = holdTheWriter();
    List<Future<Boolean>> answers = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      String name = "alert-" + i;
      answers.add(
          senders.submit(() -> writer.submit(name).equals("stored " + name) && committed(name)));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> writer.waiting() == 200);
    release.countDown();

    assertThat(held.get(10, TimeUnit.SECONDS)).isEqualTo("stored hold");
    for (Future<Boolean> answer : answers) {
      assertThat(answer.get(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(outside.queryForObject("SELECT COUNT(*) FROM stored", Integer.class)).isEqualTo(201);
    // 201 requests, at most 100 to a group, one writer: a handful of transactions, not 201.
    assertThat(transactionCount.get()).isLessThan(10);
  }

  @Test
  void aRequestThatFailsInAGroupFailsAloneAndTheOthersAreStored() throws Exception {
    Future<String> held = holdTheWriter();
    Future<String> bad = senders.submit(() -> writer.submit("bad-1"));
    List<Future<String>> good = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      String name = "good-" + i;
      good.add(senders.submit(() -> writer.submit(name)));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> writer.waiting() == 10);
    release.countDown();

    held.get(10, TimeUnit.SECONDS);
    assertThatThrownBy(() -> bad.get(10, TimeUnit.SECONDS))
        .hasRootCauseInstanceOf(IllegalArgumentException.class)
        .hasRootCauseMessage("bad-1 is bad");
    for (int i = 0; i < good.size(); i++) {
      assertThat(good.get(i).get(10, TimeUnit.SECONDS)).isEqualTo("stored good-" + i);
      assertThat(committed("good-" + i)).isTrue();
    }
    assertThat(committed("bad-1")).isFalse();
  }

  @Test
  void aGroupThatLostARaceToAnotherNodeIsStoredAgainOnce() {
    failOnce.add("raced");

    assertThat(writer.submit("raced")).isEqualTo("stored raced");
    assertThat(committed("raced")).isTrue();
    assertThat(transactionCount.get()).isEqualTo(2);
  }

  @Test
  void aStoppedWriterRefusesInsteadOfLosingTheRequest() {
    writer.stop();

    assertThatThrownBy(() -> writer.submit("late"))
        .isInstanceOf(Unavailable.class)
        .hasMessageContaining("shutting down");
    assertThat(committed("late")).isFalse();
  }

  private static final class Unavailable extends RuntimeException {
    Unavailable(String detail) {
      super(detail);
    }
  }
}
