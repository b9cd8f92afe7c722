package io.sensorfleet.sdk;

import static io.sensorfleet.sdk.RetentionCallbackTest.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionSweeperTest {

  static final Instant CUTOFF = Instant.parse("2026-10-23T00:00:00Z");
  static final Instant OLD = CUTOFF.minus(Duration.ofDays(3));
  static final Instant NEW = CUTOFF.plus(Duration.ofMinutes(1));

  @TempDir
  Path temp;

  Path root() throws IOException {
    return Files.createDirectories(temp.resolve("data"));
  }

  @Test
  void deletes_files_modified_before_the_cutoff_and_counts_them() throws IOException {
    Path root = root();
    write(root.resolve("a.log"), 10, OLD);
    write(root.resolve("b.log"), 20, OLD);

    RetentionResult result = RetentionSweeper.deleteOlderThan(root, CUTOFF);

    assertEquals(2, result.deletedFiles());
    assertEquals(30, result.deletedBytes());
    assertFalse(Files.exists(root.resolve("a.log")));
  }

  @Test
  void keeps_files_modified_at_or_after_the_cutoff_and_counts_their_bytes_as_remaining() throws IOException {
    Path root = root();
    write(root.resolve("at.log"), 7, CUTOFF);
    write(root.resolve("after.log"), 5, NEW);

    RetentionResult result = RetentionSweeper.deleteOlderThan(root, CUTOFF);

    assertEquals(new RetentionResult(0, 0, OptionalLong.of(12), ""), result);
    assertTrue(Files.exists(root.resolve("at.log")));
  }

  @Test
  void sweeps_subdirectories() throws IOException {
    Path root = root();
    write(root.resolve("2026/10/01.log"), 10, OLD);
    write(root.resolve("2026/11/01.log"), 10, NEW);

    RetentionResult result = RetentionSweeper.deleteOlderThan(root, CUTOFF);

    assertEquals(1, result.deletedFiles());
    assertFalse(Files.exists(root.resolve("2026/10/01.log")));
    assertTrue(Files.exists(root.resolve("2026/11/01.log")));
  }

  @Test
  void removes_the_subdirectories_it_emptied() throws IOException {
    Path root = root();
    write(root.resolve("2026/10/01.log"), 10, OLD);
    write(root.resolve("2026/11/01.log"), 10, NEW);

    RetentionSweeper.deleteOlderThan(root, CUTOFF);

    assertFalse(Files.exists(root.resolve("2026/10")));
    assertTrue(Files.exists(root.resolve("2026")));
  }

  @Test
  void keeps_the_root_even_when_it_empties_it() throws IOException {
    Path root = root();
    write(root.resolve("a.log"), 10, OLD);

    RetentionSweeper.deleteOlderThan(root, CUTOFF);

    assertTrue(Files.isDirectory(root));
  }

  @Test
  void keeps_directories_that_were_already_empty() throws IOException {
    Path root = root();
    Files.createDirectories(root.resolve("spool"));

    RetentionSweeper.deleteOlderThan(root, CUTOFF);

    assertTrue(Files.isDirectory(root.resolve("spool")));
  }

  @Test
  void does_not_follow_a_link_to_a_directory_outside_the_root() throws IOException {
    Path root = root();
    Path outside = temp.resolve("outside");
    write(outside.resolve("precious.log"), 10, OLD);
    Files.createSymbolicLink(root.resolve("escape"), outside);

    RetentionResult result = RetentionSweeper.deleteOlderThan(root, CUTOFF);

    assertEquals(0, result.deletedFiles());
    assertTrue(Files.exists(outside.resolve("precious.log")));
    assertTrue(Files.isSymbolicLink(root.resolve("escape")));
  }

  @Test
  void deletes_neither_a_link_to_an_old_file_outside_the_root_nor_its_target() throws IOException {
    Path root = root();
    Path outside = temp.resolve("precious.log");
    write(outside, 10, OLD);
    Path link = root.resolve("link.log");
    Files.createSymbolicLink(link, outside);

    RetentionResult result = RetentionSweeper.deleteOlderThan(root, CUTOFF);

    assertEquals(0, result.deletedFiles());
    assertTrue(Files.exists(outside));
    assertTrue(Files.exists(link, LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void deletes_nothing_and_says_so_when_the_root_does_not_exist() {
    RetentionResult result = RetentionSweeper.deleteOlderThan(temp.resolve("missing"), CUTOFF);

    assertEquals(0, result.deletedFiles());
    assertTrue(result.notes().contains("does not exist"), result.notes());
  }

  @Test
  void refuses_a_root_that_is_not_a_directory() throws IOException {
    Path file = temp.resolve("file");
    Files.writeString(file, "x");

    assertThrows(UncheckedIOException.class, () -> RetentionSweeper.deleteOlderThan(file, CUTOFF));
  }
}
