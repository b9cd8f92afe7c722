package io.sensorfleet.audit.internal;

import java.sql.Connection;
import java.sql.SQLException;

/** Where the read side gets a JDBC connection; closing it gives it back. */
@FunctionalInterface
public interface ConnectionSource {
  Connection open() throws SQLException;
}
