package io.sensorfleet.audit.internal;

import io.sensorfleet.audit.AuditEntry;
import io.sensorfleet.audit.AuditKind;
import io.sensorfleet.audit.AuditSettings.Dialect;
import io.sensorfleet.audit.Outcome;
import io.sensorfleet.audit.Principal;
import io.sensorfleet.core.InstrumentId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Blocking JDBC on the read-side tables. Every method blocks: call it on the audit JDBC dispatcher only.
 */
public final class AuditStore {

  private final ConnectionSource connections;
  private final Dialect dialect;
  private final Clock clock;

  public AuditStore(ConnectionSource connections, Dialect dialect, Clock clock) {
    this.connections = connections;
    this.dialect = dialect;
    this.clock = clock;
  }

  /** Creates the read-side tables and indexes if missing. */
  public void ensureTables() throws SQLException {
    try (Connection c = connections.open(); Statement st = c.createStatement()) {
      for (String ddl : AuditSql.DDL) {
        st.execute(ddl);
      }
    }
  }

  /** The stored journal offset (ordering) of {@code projectionId}; 0 when it has none yet. */
  public long offset(String projectionId) throws SQLException {
    try (Connection c = connections.open(); PreparedStatement ps = c.prepareStatement(AuditSql.SELECT_OFFSET)) {
      ps.setString(1, projectionId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0L;
      }
    }
  }

  /**
   * Upserts {@code entries} and sets the offset of {@code projectionId} to {@code offset}, in one transaction: a
   * crash leaves either both or neither, and a replay after it rewrites identical rows.
   */
  public void write(List<AuditEntry> entries, String projectionId, long offset) throws SQLException {
    inTransaction(c -> {
      if (!entries.isEmpty()) {
        try (PreparedStatement ps = c.prepareStatement(AuditSql.upsertEntry(dialect))) {
          for (AuditEntry e : entries) {
            bind(ps, e);
            ps.addBatch();
          }
          ps.executeBatch();
        }
      }
      try (PreparedStatement ps = c.prepareStatement(AuditSql.upsertOffset(dialect))) {
        ps.setString(1, projectionId);
        ps.setLong(2, offset);
        ps.setObject(3, AuditSql.timestamp(clock.instant()));
        ps.executeUpdate();
      }
    });
  }

  /** Empties the entry table and forgets the offset of {@code projectionId}, in one transaction. */
  public void reset(String projectionId) throws SQLException {
    inTransaction(c -> {
      try (Statement st = c.createStatement()) {
        st.executeUpdate(AuditSql.DELETE_ENTRIES);
      }
      try (PreparedStatement ps = c.prepareStatement(AuditSql.DELETE_OFFSET)) {
        ps.setString(1, projectionId);
        ps.executeUpdate();
      }
    });
  }

  /** Runs a query built by {@link AuditSql#select}. */
  public List<AuditEntry> query(AuditSql.Query query) throws SQLException {
    try (Connection c = connections.open(); PreparedStatement ps = c.prepareStatement(query.sql())) {
      int i = 1;
      for (Object p : query.params()) {
        ps.setObject(i++, p);
      }
      List<AuditEntry> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(read(rs));
        }
      }
      return out;
    }
  }

  private static void bind(PreparedStatement ps, AuditEntry e) throws SQLException {
    ps.setLong(1, e.seq());
    ps.setObject(2, AuditSql.timestamp(e.occurredAt()));
    ps.setString(3, text(e.principal().toString()));
    ps.setString(4, e.principal().kind().wire());
    ps.setString(5, text(e.action()));
    ps.setString(6, e.kind().wire());
    ps.setString(7, text(e.target()));
    ps.setString(8, e.instrument().map(InstrumentId::value).orElse(null));
    ps.setString(9, e.outcome().wire());
    ps.setString(10, text(e.detail()));
  }

  /**
   * PostgreSQL text cannot hold NUL, and one row it refuses would stop the read side for good (it retries the same
   * batch forever). AuditRequest already replaces NUL; this keeps any event already in a journal writable.
   */
  static String text(String s) {
    return s.indexOf('\0') < 0 ? s : s.replace('\0', '\uFFFD');
  }

  private static AuditEntry read(ResultSet rs) throws SQLException {
    // Column order is AuditSql.COLUMNS.
    String instrument = rs.getString(8);
    return new AuditEntry(
        rs.getLong(1),
        rs.getObject(2, OffsetDateTime.class).toInstant(),
        Principal.parse(rs.getString(3)),
        rs.getString(5),
        AuditKind.fromWire(rs.getString(6)),
        rs.getString(7),
        Optional.ofNullable(instrument).map(InstrumentId::of),
        Outcome.fromWire(rs.getString(9)),
        rs.getString(10));
  }

  private interface Work {
    void run(Connection c) throws SQLException;
  }

  private void inTransaction(Work work) throws SQLException {
    try (Connection c = connections.open()) {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        work.run(c);
        c.commit();
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException rollbackFailed) {
          e.addSuppressed(rollbackFailed);
        }
        throw e;
      } finally {
        c.setAutoCommit(autoCommit); // the pool would reset it too; be explicit for other pools
      }
    }
  }
}
