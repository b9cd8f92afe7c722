package io.sensorfleet.instruments.passivedns;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The passive-DNS database: one row per (name, type, answer) with when it was first and last seen and how often,
 * in an embedded H2 file {@code pdns.mv.db} in the Instrument's persistent directory. One connection, used by one
 * thread at a time (every method is synchronized): the bus callback writes, the UI's threads read.
 *
 * <p>H2 writes no trace file ({@code TRACE_LEVEL_FILE=0}), so the directory holds only the database file, which
 * retention rewrites ({@link #compact()}): nothing on the volume outlives the rows it held.
 */
public final class PassiveDnsStore implements AutoCloseable {

  public static final String DATABASE = "pdns";
  private static final String SCHEMA = """
      CREATE TABLE IF NOT EXISTS dns_record (
        qname VARCHAR(255) NOT NULL,
        qtype VARCHAR(16) NOT NULL,
        answer VARCHAR(1024) NOT NULL,
        first_seen TIMESTAMP(3) WITH TIME ZONE NOT NULL,
        last_seen TIMESTAMP(3) WITH TIME ZONE NOT NULL,
        count BIGINT NOT NULL,
        PRIMARY KEY (qname, qtype, answer));
      CREATE INDEX IF NOT EXISTS dns_record_answer ON dns_record (answer);
      CREATE INDEX IF NOT EXISTS dns_record_last_seen ON dns_record (last_seen);
      """;

  private final String url;
  private Connection connection;

  private PassiveDnsStore(Path directory) {
    this.url = "jdbc:h2:file:" + directory.toAbsolutePath().resolve(DATABASE)
        + ";TRACE_LEVEL_FILE=0;DB_CLOSE_ON_EXIT=FALSE";
  }

  /**
   * Opens (creating if needed) the database in {@code directory}.
   *
   * @throws SQLException if it cannot be opened: locked, damaged, or the directory is not writable
   */
  public static PassiveDnsStore open(Path directory) throws SQLException {
    PassiveDnsStore store = new PassiveDnsStore(directory);
    store.connect();
    return store;
  }

  private void connect() throws SQLException {
    connection = DriverManager.getConnection(url, "pdns", "");
    try (Statement s = connection.createStatement()) {
      s.execute(SCHEMA);
    }
  }

  /** The connection, opened again if a failed {@link #compact()} left it closed. */
  private Connection conn() throws SQLException {
    if (connection.isClosed()) {
      connect();
    }
    return connection;
  }

  /** Counts {@code o}: a new row, or one more sighting of a known one. */
  public synchronized void record(Observation o) throws SQLException {
    OffsetDateTime seen = utc(o.seen());
    try (PreparedStatement update = conn().prepareStatement("""
        UPDATE dns_record SET count = count + 1, last_seen = GREATEST(last_seen, ?),
          first_seen = LEAST(first_seen, ?)
        WHERE qname = ? AND qtype = ? AND answer = ?""")) {
      update.setObject(1, seen);
      update.setObject(2, seen);
      update.setString(3, o.qname());
      update.setString(4, o.qtype());
      update.setString(5, o.answer());
      if (update.executeUpdate() > 0) {
        return;
      }
    }
    try (PreparedStatement insert = conn().prepareStatement(
        "INSERT INTO dns_record (qname, qtype, answer, first_seen, last_seen, count) VALUES (?, ?, ?, ?, ?, 1)")) {
      insert.setString(1, o.qname());
      insert.setString(2, o.qtype());
      insert.setString(3, o.answer());
      insert.setObject(4, seen);
      insert.setObject(5, seen);
      insert.executeUpdate();
    }
  }

  /**
   * Rows for {@code query}: the name itself and its subdomains, and rows whose answer is it (an address, or a
   * name a CNAME points to), most recently seen first.
   */
  public synchronized List<Row> search(String query, int limit) throws SQLException {
    String q = Observation.normalizeName(query);
    try (PreparedStatement s = conn().prepareStatement("""
        SELECT qname, qtype, answer, first_seen, last_seen, count FROM dns_record
        WHERE qname = ? OR qname LIKE ? ESCAPE '\\' OR answer = ? OR answer = ?
        ORDER BY last_seen DESC, qname, qtype, answer
        LIMIT ?""")) {
      s.setString(1, q);
      s.setString(2, "%." + likeEscape(q));
      s.setString(3, q);
      s.setString(4, q + ".");
      s.setInt(5, limit);
      List<Row> rows = new ArrayList<>();
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          rows.add(new Row(r.getString(1), r.getString(2), r.getString(3), instant(r, 4), instant(r, 5),
              r.getLong(6)));
        }
      }
      return rows;
    }
  }

  /** How much the database holds. */
  public synchronized Stats stats() throws SQLException {
    try (Statement s = conn().createStatement();
        ResultSet r = s.executeQuery("SELECT COUNT(*), COUNT(DISTINCT qname), MIN(first_seen), MAX(last_seen), "
            + "COALESCE(SUM(count), 0) FROM dns_record")) {
      r.next();
      return new Stats(r.getLong(1), r.getLong(2), Optional.ofNullable(instant(r, 3)),
          Optional.ofNullable(instant(r, 4)), r.getLong(5));
    }
  }

  /** Deletes the rows last seen before {@code cutoff}; returns how many. */
  public synchronized long deleteLastSeenBefore(Instant cutoff) throws SQLException {
    try (PreparedStatement s = conn().prepareStatement("DELETE FROM dns_record WHERE last_seen < ?")) {
      s.setObject(1, utc(cutoff));
      return s.executeUpdate();
    }
  }

  /**
   * Rewrites the database file without free space, so deleted rows leave no trace on the volume (H2 otherwise
   * keeps freed pages until it reuses them), and reopens it.
   */
  public synchronized void compact() throws SQLException {
    try (Statement s = conn().createStatement()) {
      s.execute("SHUTDOWN COMPACT");
    }
    connection.close();
    connect();
  }

  @Override
  public synchronized void close() throws SQLException {
    if (!connection.isClosed()) {
      try (Statement s = connection.createStatement()) {
        s.execute("SHUTDOWN");
      }
      connection.close();
    }
  }

  private static OffsetDateTime utc(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  private static Instant instant(ResultSet r, int column) throws SQLException {
    OffsetDateTime t = r.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  private static String likeEscape(String s) {
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
  }

  /** One row of the database. */
  public record Row(String qname, String qtype, String answer, Instant firstSeen, Instant lastSeen, long count) {}

  /**
   * Totals.
   *
   * @param sightings the sum of every row's count
   */
  public record Stats(long rows, long names, Optional<Instant> firstSeen, Optional<Instant> lastSeen,
      long sightings) {}
}
