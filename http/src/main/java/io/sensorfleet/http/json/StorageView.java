package io.sensorfleet.http.json;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.sensorfleet.actors.instrument.Instrument;
import io.sensorfleet.core.manifest.ByteSize;
import io.sensorfleet.core.storage.StorageUsage;
import java.util.Optional;

/**
 * An Instrument's storage use, in bytes: its {@code persistent} directory (encrypted, on its own quota'd volume;
 * {@code used} counts the encrypted data, about 4 % more than the plaintext) and its {@code transient} one (a
 * tmpfs; 0 while stopped). A part is {@code null} when the manifest asks for no such directory; {@code used} is
 * {@code null} until the sensor has measured it (every 30 s and after each start and stop), {@code quota} is then
 * the manifest's size.
 */
public record StorageView(Part persistent, @JsonProperty("transient") Part transientPart) {

  /** Used and allowed bytes of one directory. */
  public record Part(Long used, long quota) {}

  /** {@code null} when the status has no manifest (not installed). */
  public static StorageView of(Instrument.Status s) {
    return s.manifest().map(m -> {
      Optional<StorageUsage> u = s.storage();
      return new StorageView(
          part(m.storage().persistent(), u.map(StorageUsage::persistentUsedBytes),
              u.map(StorageUsage::persistentQuotaBytes)),
          part(m.storage().transientSize(), u.map(StorageUsage::transientUsedBytes),
              u.map(StorageUsage::transientQuotaBytes)));
    }).orElse(null);
  }

  private static Part part(ByteSize asked, Optional<Long> used, Optional<Long> quota) {
    long q = quota.filter(v -> v > 0).orElse(asked.bytes());
    return q == 0 ? null : new Part(used.orElse(null), q);
  }
}
