package io.sensorfleet.audit.internal;

import io.sensorfleet.audit.AuditFilter;
import io.sensorfleet.audit.AuditSettings.Dialect;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The read side's SQL, as plain strings so it can be unit-tested and read. The DDL is the same for H2 (2.x) and
 * PostgreSQL; only the upserts differ. Identifiers are lower-case and unquoted, which both keep lower-case (H2
 * because the URL sets {@code DATABASE_TO_UPPER=false}).
 */
public final class AuditSql {

  public static final String ENTRY_TABLE = "audit_entry";
  public static final String OFFSET_TABLE = "audit_projection_offset";

  /** Read-side DDL, idempotent; applied statement by statement. */
  public static final List<String> DDL = List.of(
      """
      CREATE TABLE IF NOT EXISTS audit_entry (
        seq BIGINT NOT NULL PRIMARY KEY,
        occurred_at TIMESTAMP WITH TIME ZONE NOT NULL,
        principal VARCHAR(160) NOT NULL,
        principal_kind VARCHAR(16) NOT NULL,
        action VARCHAR(128) NOT NULL,
        kind VARCHAR(16) NOT NULL,
        target VARCHAR(256) NOT NULL,
        instrument VARCHAR(32),
        outcome VARCHAR(8) NOT NULL,
        detail VARCHAR(4000) NOT NULL
      )""",
      "CREATE INDEX IF NOT EXISTS audit_entry_instrument_idx ON audit_entry (instrument, seq)",
      "CREATE INDEX IF NOT EXISTS audit_entry_principal_idx ON audit_entry (principal, seq)",
      "CREATE INDEX IF NOT EXISTS audit_entry_principal_kind_idx ON audit_entry (principal_kind, seq)",
      "CREATE INDEX IF NOT EXISTS audit_entry_action_idx ON audit_entry (action, seq)",
      "CREATE INDEX IF NOT EXISTS audit_entry_kind_idx ON audit_entry (kind, seq)",
      "CREATE INDEX IF NOT EXISTS audit_entry_outcome_idx ON audit_entry (outcome, seq)",
      "CREATE INDEX IF NOT EXISTS audit_entry_occurred_at_idx ON audit_entry (occurred_at)",
      """
      CREATE TABLE IF NOT EXISTS audit_projection_offset (
        projection_id VARCHAR(64) NOT NULL PRIMARY KEY,
        last_offset BIGINT NOT NULL,
        updated_at TIMESTAMP WITH TIME ZONE NOT NULL
      )""");

  static final String COLUMNS =
      "seq, occurred_at, principal, principal_kind, action, kind, target, instrument, outcome, detail";

  private AuditSql() {}

  /** Inserts one entry unless its seq is already there (replays and rebuilds never duplicate). 10 parameters. */
  public static String upsertEntry(Dialect dialect) {
    return switch (dialect) {
      case H2 -> "MERGE INTO audit_entry (" + COLUMNS + ") KEY (seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
      case POSTGRES -> "INSERT INTO audit_entry (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
          + " ON CONFLICT (seq) DO NOTHING";
    };
  }

  /** Stores a projection's offset: parameters projection_id, last_offset, updated_at. */
  public static String upsertOffset(Dialect dialect) {
    return switch (dialect) {
      case H2 -> "MERGE INTO audit_projection_offset (projection_id, last_offset, updated_at) KEY (projection_id)"
          + " VALUES (?, ?, ?)";
      case POSTGRES -> "INSERT INTO audit_projection_offset (projection_id, last_offset, updated_at) VALUES (?, ?, ?)"
          + " ON CONFLICT (projection_id) DO UPDATE SET last_offset = EXCLUDED.last_offset,"
          + " updated_at = EXCLUDED.updated_at";
    };
  }

  public static final String SELECT_OFFSET = "SELECT last_offset FROM audit_projection_offset WHERE projection_id = ?";
  public static final String DELETE_OFFSET = "DELETE FROM audit_projection_offset WHERE projection_id = ?";
  public static final String DELETE_ENTRIES = "DELETE FROM audit_entry";

  /** A statement and its parameters in order (String, Long, Integer or OffsetDateTime). */
  public record Query(String sql, List<Object> params) {
    public Query {
      params = List.copyOf(params);
    }
  }

  /** The SELECT for {@code filter}, newest first, at most {@code limit} rows. Values are always parameters. */
  public static Query select(AuditFilter filter, int limit) {
    List<String> where = new ArrayList<>();
    List<Object> params = new ArrayList<>();
    filter.from().ifPresent(t -> {
      where.add("occurred_at >= ?");
      params.add(timestamp(t));
    });
    filter.to().ifPresent(t -> {
      where.add("occurred_at < ?");
      params.add(timestamp(t));
    });
    filter.instrument().ifPresent(id -> {
      where.add("instrument = ?");
      params.add(id.value());
    });
    filter.principal().ifPresent(p -> {
      where.add(AuditFilter.isPrincipalKind(p) ? "principal_kind = ?" : "principal = ?");
      params.add(p);
    });
    filter.action().ifPresent(a -> {
      where.add("action = ?");
      params.add(a);
    });
    filter.kind().ifPresent(k -> {
      where.add("kind = ?");
      params.add(k.wire());
    });
    filter.outcome().ifPresent(o -> {
      where.add("outcome = ?");
      params.add(o.wire());
    });
    filter.beforeSeq().ifPresent(s -> {
      where.add("seq < ?");
      params.add(s);
    });
    StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS).append(" FROM audit_entry");
    if (!where.isEmpty()) {
      sql.append(" WHERE ").append(String.join(" AND ", where));
    }
    sql.append(" ORDER BY seq DESC LIMIT ?");
    params.add(limit);
    return new Query(sql.toString(), params);
  }

  /** Instants travel as UTC {@link OffsetDateTime}, which both drivers map to TIMESTAMP WITH TIME ZONE. */
  public static OffsetDateTime timestamp(Instant t) {
    return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
  }
}
