package io.tocsin.notify;

import io.tocsin.platform.DatabaseReady;
import io.tocsin.platform.SecretCipher;
import io.tocsin.platform.UnreadableSecretException;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionOperations;

/**
 * ContactMethodSecrets brings every stored secret under the current key once the database is ready:
 * values written before encryption existed are encrypted, and values under a previous key are
 * re-encrypted, so that after one start with a new key the old one can be dropped. Each row is
 * rewritten in a transaction of its own under a row lock, so nodes starting together share the work
 * and a node stopped half-way leaves nothing half-written. Values under a key this node does not
 * have are left alone, and a warning names the key.
 */
@Component
class ContactMethodSecrets {

  private static final Log log = LogFactory.getLog(ContactMethodSecrets.class);
  private static final int BATCH = 200;

  private final ContactMethodRows rows;
  private final SecretCipher cipher;
  private final TransactionOperations transactions;

  ContactMethodSecrets(
      ContactMethodRows rows, SecretCipher cipher, TransactionOperations transactions) {
    this.rows = rows;
    this.cipher = cipher;
    this.transactions = transactions;
  }

  @EventListener
  void onDatabaseReady(DatabaseReady ready) {
    Result result = rewriteAll();
    if (result.rewritten() > 0) {
      log.info(
          "Encrypted the secrets of "
              + result.rewritten()
              + " contact methods under key "
              + cipher.currentKeyId()
              + ".");
    }
    if (result.unreadable() > 0) {
      log.warn(
          result.unreadable()
              + " contact methods hold secrets under key "
              + String.join(", ", result.unknownKeys())
              + ", which is neither TOCSIN_SECRET_KEY (key "
              + cipher.currentKeyId()
              + ") nor one of TOCSIN_PREVIOUS_SECRET_KEYS: nothing can be sent through them"
              + " (their deliveries say 'cannot decrypt secret'). Add that key to"
              + " TOCSIN_PREVIOUS_SECRET_KEYS and restart.");
    }
  }

  /** How many rows were rewritten, how many could not be read, and the keys they need. */
  record Result(int rewritten, int unreadable, Set<String> unknownKeys) {}

  Result rewriteAll() {
    int rewritten = 0;
    int unreadable = 0;
    Set<String> unknownKeys = new TreeSet<>();
    @Nullable UUID after = null;
    while (true) {
      ContactMethodRows.Scan scan = rows.scan(after, BATCH);
      if (scan.last() == null) {
        return new Result(rewritten, unreadable, unknownKeys);
      }
      for (UUID id : scan.stale()) {
        try {
          if (Boolean.TRUE.equals(transactions.execute(status -> rows.rewrite(id)))) {
            rewritten++;
          }
        } catch (UnreadableSecretException e) {
          unreadable++;
          unknownKeys.add(e.keyId());
        }
      }
      after = scan.last();
    }
  }
}
