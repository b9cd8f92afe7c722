package io.sensorfleet.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuditSettingsTest {

  @Test
  void reads_the_defaults_of_reference_conf() {
    var settings = AuditSettings.fromConfig(ConfigFactory.load());

    assertEquals(AuditSettings.Dialect.H2, settings.dialect());
    assertEquals("jdbc-read-journal", settings.readJournal());
    assertEquals("sensor.audit.jdbc-dispatcher", settings.dispatcher());
  }

  @Test
  void builds_the_h2_url_from_the_data_dir() {
    var config = ConfigFactory.load(ConfigFactory.parseMap(Map.of("sensor.data-dir", "/var/lib/sensorfleet")));

    assertEquals("jdbc:h2:file:/var/lib/sensorfleet/journal/sensorfleet;DATABASE_TO_UPPER=false;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0",
        config.getString("pekko-persistence-jdbc.shared-databases.sensorfleet.db.url"));
  }
}
