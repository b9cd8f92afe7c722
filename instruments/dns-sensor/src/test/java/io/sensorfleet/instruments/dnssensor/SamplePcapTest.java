package io.sensorfleet.instruments.dnssensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

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
      Files.write(COMMITTED, generated);
    }
    try (InputStream in = PcapSource.class.getResourceAsStream(PcapSource.SAMPLE_RESOURCE)) {
      assertArrayEquals(generated, in.readAllBytes(),
          "dns-sample.pcap differs from SamplePcap: regenerate it with -Dsample.regenerate=true");
    }
  }
}
