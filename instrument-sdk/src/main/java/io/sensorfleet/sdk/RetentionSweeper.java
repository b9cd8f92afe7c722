package io.sensorfleet.sdk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Deletes an Instrument's stored files older than a retention cutoff, for the {@code onRetention} callback:
 * {@code builder.onRetention(cutoff -> RetentionSweeper.deleteOlderThan(dataDir, cutoff))}, usually on the
 * Instrument's {@link DataDirectory}.
 *
 * <p>"Older" means last modified before the cutoff, so a file still being appended to is kept. Only regular files
 * are deleted. Symbolic links are neither followed nor deleted, so a link inside the directory can never make the
 * sweep delete elsewhere; every step is made relative to an open directory ({@link SecureDirectoryStream}), so
 * replacing a directory by a link while the sweep runs does not redirect it either. Subdirectories that the sweep
 * empties are removed; the root, and directories that were already empty, are kept.
 */
public final class RetentionSweeper {

  private static final LinkOption[] NO_FOLLOW = {LinkOption.NOFOLLOW_LINKS};

  private RetentionSweeper() {}

  /**
   * Deletes the regular files under {@code root} last modified before {@code cutoff}.
   *
   * @param root the directory to sweep (if it is itself a link, the link is followed: the caller chose it)
   * @return files and bytes deleted, bytes of regular files remaining, and notes on what could not be deleted; a
   *     missing root deletes nothing
   * @throws UncheckedIOException if {@code root} exists but cannot be read
   */
  public static RetentionResult deleteOlderThan(Path root, Instant cutoff) {
    if (!Files.exists(root)) {
      return new RetentionResult(0, 0, OptionalLong.of(0), root + " does not exist: nothing to delete");
    }
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(root)) {
      if (!(stream instanceof SecureDirectoryStream<Path> secure)) {
        return RetentionResult.nothingDeleted(
            "this file system cannot delete without following links (no SecureDirectoryStream): nothing deleted");
      }
      Tally tally = new Tally(cutoff);
      tally.sweep(secure, root);
      return tally.result();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + root, e);
    }
  }

  /** Counts of one sweep; one per call, so the sweeper itself holds no state. */
  private static final class Tally {

    private static final int MAX_NOTED = 3;

    private final Instant cutoff;
    private long deletedFiles;
    private long deletedBytes;
    private long remainingBytes;
    private long failures;
    private final List<String> noted = new ArrayList<>();

    Tally(Instant cutoff) {
      this.cutoff = cutoff;
    }

    /** Sweeps one open directory; true if it deleted anything in it or below. */
    boolean sweep(SecureDirectoryStream<Path> dir, Path shownAs) {
      // Names first: deleting while iterating a directory is allowed to skip entries.
      List<Path> names = new ArrayList<>();
      for (Path entry : dir) {
        names.add(entry.getFileName());
      }
      boolean deletedHere = false;
      for (Path name : names) {
        Path shown = shownAs.resolve(name);
        try {
          BasicFileAttributes attributes =
              dir.getFileAttributeView(name, BasicFileAttributeView.class, NO_FOLLOW).readAttributes();
          if (attributes.isDirectory()) {
            deletedHere |= sweepSubdirectory(dir, name, shown);
          } else if (attributes.isRegularFile()) {
            deletedHere |= deleteIfOld(dir, name, shown, attributes);
          }
        } catch (NoSuchFileException gone) {
          // Deleted by someone else meanwhile: nothing to do, nothing to count.
        } catch (IOException e) {
          note(shown, e);
        }
      }
      return deletedHere;
    }

    private boolean deleteIfOld(SecureDirectoryStream<Path> dir, Path name, Path shown, BasicFileAttributes file)
        throws NoSuchFileException {
      if (!file.lastModifiedTime().toInstant().isBefore(cutoff)) {
        remainingBytes += file.size();
        return false;
      }
      try {
        dir.deleteFile(name);
      } catch (NoSuchFileException gone) {
        throw gone;
      } catch (IOException e) {
        note(shown, e);
        remainingBytes += file.size();
        return false;
      }
      deletedFiles++;
      deletedBytes += file.size();
      return true;
    }

    private boolean sweepSubdirectory(SecureDirectoryStream<Path> parent, Path name, Path shown) throws IOException {
      boolean deleted;
      try (SecureDirectoryStream<Path> child = parent.newDirectoryStream(name, NO_FOLLOW)) {
        deleted = sweep(child, shown);
      }
      if (deleted) {
        try {
          parent.deleteDirectory(name);
        } catch (DirectoryNotEmptyException stillUsed) {
          // Files remain in it (or were just written): keep it.
        }
      }
      return deleted;
    }

    private void note(Path path, IOException e) {
      failures++;
      if (noted.size() < MAX_NOTED) {
        noted.add(path + " (" + e.getClass().getSimpleName() + ")");
      }
    }

    RetentionResult result() {
      String notes = failures == 0 ? ""
          : failures + " entries could not be checked or deleted, e.g. " + String.join(", ", noted);
      return new RetentionResult(deletedFiles, deletedBytes, OptionalLong.of(remainingBytes), notes);
    }
  }
}
