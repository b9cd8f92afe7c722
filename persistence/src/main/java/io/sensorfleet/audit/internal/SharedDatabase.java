package io.sensorfleet.audit.internal;

import com.typesafe.config.Config;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.db.SlickDatabase;
import org.apache.pekko.persistence.jdbc.db.SlickExtension;
import org.apache.pekko.persistence.jdbc.db.SlickExtensionImpl;

/**
 * The connection pool that Pekko Persistence JDBC shares between its journal, snapshot store and read journal
 * ({@code use-shared-db}). The read side borrows connections from it rather than opening a second pool on the
 * same database: one URL, one set of credentials, one pool to size. The plugin closes it when the actor system
 * terminates.
 */
public final class SharedDatabase {

  private SharedDatabase() {}

  /** The shared database of the read journal at {@code readJournalPath}; fails unless it uses a shared database. */
  public static SlickDatabase of(ActorSystem<?> system, String readJournalPath) {
    Config plugin = system.settings().config().getConfig(readJournalPath);
    String shared = plugin.hasPath("use-shared-db") ? plugin.getString("use-shared-db") : "";
    if (shared.isBlank()) {
      // Without a shared database every lookup would build a new pool, and nothing would close it.
      throw new IllegalStateException(readJournalPath + ".use-shared-db must name a database under "
          + "pekko-persistence-jdbc.shared-databases (sensorfleet's reference.conf sets \"slick\")");
    }
    SlickExtensionImpl slick = (SlickExtensionImpl) SlickExtension.get(system.classicSystem());
    return slick.database(plugin);
  }

  /** Connections from the shared pool of {@code readJournalPath}. */
  public static ConnectionSource connections(ActorSystem<?> system, String readJournalPath) {
    SlickDatabase db = of(system, readJournalPath);
    return () -> db.database().source().createConnection();
  }
}
