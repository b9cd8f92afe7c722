package io.sensorfleet.instruments.downloader;

import com.fasterxml.jackson.core.type.TypeReference;
import io.sensorfleet.instruments.support.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The Downloader's persistent storage: every fetched body once, named by its SHA-256
 * ({@code <root>/sha256/<hex>}, written to {@code <root>/tmp/} first and moved into place), and what it knows per
 * resource ({@code <root>/state.json}: the validators for conditional requests and the current version), so a
 * restart neither downloads nor announces again what did not change. Only the Downloader's own directory: the
 * platform copies from here to the Instruments that may have it.
 */
public final class ContentStore {

  /**
   * What the Downloader knows of one resource ({@code etag} and {@code lastModified} are null when the server sent
   * none: plain fields, so state.json needs no extra Jackson modules).
   */
  public record Known(String url, String etag, String lastModified, String sha256, long size, String version,
                      String fetchedAt) {}

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private final Path root;
  private final Path blobs;
  private final Path tmp;
  private final Path stateFile;
  private final Map<String, Known> known = new TreeMap<>();

  private ContentStore(Path root) throws IOException {
    this.root = root;
    this.blobs = Files.createDirectories(root.resolve("sha256"));
    this.tmp = Files.createDirectories(root.resolve("tmp"));
    this.stateFile = root.resolve("state.json");
    if (Files.isRegularFile(stateFile)) {
      known.putAll(Json.MAPPER.readValue(stateFile.toFile(), new TypeReference<Map<String, Known>>() {}));
    }
    try (var leftovers = Files.list(tmp)) {
      for (Path p : leftovers.toList()) {
        Files.deleteIfExists(p);  // a fetch cut short by a crash
      }
    }
  }

  /** Opens (creating if needed) the store under {@code root}. */
  public static ContentStore open(Path root) {
    try {
      return new ContentStore(root);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the content store at " + root, e);
    }
  }

  public Path root() {
    return root;
  }

  /** A new empty temporary file for a body being downloaded. */
  public synchronized Path newTemporary() throws IOException {
    return Files.createTempFile(tmp, "fetch-", ".part");
  }

  /** Moves a fully written and hashed temporary file to its content address; returns that path. */
  public synchronized Path commit(Path temporary, String sha256) throws IOException {
    Path target = path(sha256);
    if (Files.exists(target)) {
      Files.delete(temporary);
      return target;
    }
    try {
      Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temporary, target);
    }
    return target;
  }

  /** Where the body with this hash is (or would be) stored. */
  public Path path(String sha256) {
    if (!SHA256.matcher(sha256).matches()) {
      throw new IllegalArgumentException("not a sha256: " + sha256);
    }
    return blobs.resolve(sha256);
  }

  public synchronized Optional<Known> known(String name) {
    return Optional.ofNullable(known.get(name));
  }

  /** Records what was fetched for {@code name} (written to state.json at once). */
  public synchronized void remember(String name, Known what) {
    known.put(name, what);
    save();
  }

  /**
   * Deletes stored bodies that no resource refers to and that are older than {@code cutoff}; returns
   * {count, bytes}.
   */
  public synchronized long[] sweep(Instant cutoff) throws IOException {
    Set<String> live = new HashSet<>();
    known.values().forEach(k -> live.add(k.sha256()));
    long files = 0;
    long bytes = 0;
    try (var all = Files.list(blobs)) {
      for (Path p : all.toList()) {
        if (!live.contains(p.getFileName().toString())
            && Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) {
          long size = Files.size(p);
          Files.delete(p);
          files++;
          bytes += size;
        }
      }
    }
    return new long[] {files, bytes};
  }

  public synchronized Collection<Known> all() {
    return known.values();
  }

  private void save() {
    try {
      Path next = root.resolve("state.json.new");
      Json.MAPPER.writeValue(next.toFile(), known);
      Files.move(next, stateFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + stateFile, e);
    }
  }
}
