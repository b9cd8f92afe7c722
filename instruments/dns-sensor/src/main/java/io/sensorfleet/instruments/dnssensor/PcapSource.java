package io.sensorfleet.instruments.dnssensor;

import java.io.BufferedInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Where the replayed capture comes from: a file, or the sample inside the jar. */
public sealed interface PcapSource {

  /** The sample capture inside the jar (src/main/resources). */
  String SAMPLE_RESOURCE = "/dns-sample.pcap";

  InputStream open() throws IOException;

  /** For health details and logs. */
  String describe();

  /** The configured file; without one, {@link SensorConfig#DEFAULT_PCAP} if present, else the jar's sample. */
  static PcapSource of(Optional<Path> configured) {
    if (configured.isPresent()) {
      return new File(configured.get());
    }
    return Files.isRegularFile(SensorConfig.DEFAULT_PCAP) ? new File(SensorConfig.DEFAULT_PCAP) : new Sample();
  }

  record File(Path path) implements PcapSource {
    @Override
    public InputStream open() throws IOException {
      return new BufferedInputStream(Files.newInputStream(path));
    }

    @Override
    public String describe() {
      return path.toString();
    }
  }

  record Sample() implements PcapSource {
    @Override
    public InputStream open() throws IOException {
      InputStream in = PcapSource.class.getResourceAsStream(SAMPLE_RESOURCE);
      if (in == null) {
        throw new FileNotFoundException("the sample capture is missing from the jar");
      }
      return new BufferedInputStream(in);
    }

    @Override
    public String describe() {
      return "the built-in sample (jar:" + SAMPLE_RESOURCE + ")";
    }
  }
}
