package io.sensorfleet.audit;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Locale;

/**
 * The {@code sensor.audit} section (defaults in this module's {@code reference.conf}), read once.
 *
 * @param dialect which SQL the read side speaks; must match the Slick profile of the shared database
 * @param readJournal config path of the JDBC read journal; its {@code use-shared-db} database is also the read
 *     side's
 * @param dispatcher config path of the dispatcher for blocking JDBC calls
 * @param projectionId the read side's row in {@code audit_projection_offset}
 * @param batchSize read side: at most this many events per transaction
 * @param batchWindow read side: at most this long to fill a batch
 * @param readSideMinBackoff read side: first restart delay after a failure (e.g. the database is unreachable)
 * @param readSideMaxBackoff read side: longest restart delay
 * @param maxLimit the largest page {@link AuditQueries} returns, whatever {@link AuditFilter#limit()} asks
 * @param persistMinBackoff AuditLog: first restart delay after the journal failed a write
 * @param persistMaxBackoff AuditLog: longest restart delay
 * @param randomFactor jitter of both backoffs
 */
public record AuditSettings(Dialect dialect, String readJournal, String dispatcher, String projectionId,
                            int batchSize, Duration batchWindow, Duration readSideMinBackoff,
                            Duration readSideMaxBackoff, int maxLimit, Duration persistMinBackoff,
                            Duration persistMaxBackoff, double randomFactor) {

  /** SQL dialects the read side supports. */
  public enum Dialect {
    H2,
    POSTGRES;

    static Dialect fromConfig(String value) {
      return switch (value.toLowerCase(Locale.ROOT)) {
        case "h2" -> H2;
        case "postgres", "postgresql" -> POSTGRES;
        default -> throw new IllegalArgumentException("sensor.audit.dialect must be h2 or postgres, was '" + value + "'");
      };
    }
  }

  public AuditSettings {
    if (batchSize < 1 || maxLimit < 1) {
      throw new IllegalArgumentException("sensor.audit: batch-size and max-limit must be at least 1");
    }
  }

  /** Reads {@code sensor.audit} from a full config (e.g. {@code system.settings().config()}). */
  public static AuditSettings fromConfig(Config root) {
    Config c = root.getConfig("sensor.audit");
    return new AuditSettings(
        Dialect.fromConfig(c.getString("dialect")),
        c.getString("read-journal"),
        c.getString("dispatcher"),
        c.getString("read-side.projection-id"),
        c.getInt("read-side.batch-size"),
        c.getDuration("read-side.batch-window"),
        c.getDuration("read-side.min-backoff"),
        c.getDuration("read-side.max-backoff"),
        c.getInt("query.max-limit"),
        c.getDuration("log.persist-failure-min-backoff"),
        c.getDuration("log.persist-failure-max-backoff"),
        c.getDouble("random-factor"));
  }
}
