package io.sensorfleet.instruments.dnssensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The committed sample capture is what {@link SamplePcap} generates (run with -Dsample.regenerate=true to rewrite). */
class SamplePcapTest {

  static final Path COMMITTED = Path.of("src/main/resources/dns-sample.pcap");

  @Test
  void committed_sample_is_exactly_what_the_generator_writes() throws IOException {
    byte[] generated = SamplePcap.bytes();
    if (Boolean.getBoolean("sample.regenerate")) {
      Files.write(COMMITTED, generated);   // the jar gets it from the next build on
    }
    assertArrayEquals(generated, Files.readAllBytes(COMMITTED),
        "dns-sample.pcap differs from SamplePcap: regenerate it with -Dsample.regenerate=true");
  }

  @Test
  void the_jar_carries_the_sample() throws IOException {
    try (InputStream in = PcapSource.class.getResourceAsStream(PcapSource.SAMPLE_RESOURCE)) {
      assertNotNull(in, PcapSource.SAMPLE_RESOURCE + " is not on the class path");
      assertTrue(in.readAllBytes().length > 24);
    }
  }
}
