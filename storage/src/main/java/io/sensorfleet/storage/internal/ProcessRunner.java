package io.sensorfleet.storage.internal;

import io.sensorfleet.core.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Runs commands with {@link ProcessBuilder}. Output goes to files, not pipes: gocryptfs forks a daemon that keeps
 * the standard output and error it inherited, so reading a pipe to its end would wait as long as the mount lives.
 */
public final class ProcessRunner implements CommandRunner {

  /** More of a tool's output than any message needs. */
  private static final int MAX_OUTPUT = 64 * 1024;

  @Override
  public CommandResult run(CommandLine command, Duration timeout) {
    Path out = null;
    Path err = null;
    try {
      out = tempFile();
      err = command.stderrLog().isPresent() ? null : tempFile();
      Path errFile = err != null ? err : command.stderrLog().get();
      ProcessBuilder builder = new ProcessBuilder(command.argv())
          .redirectOutput(out.toFile())
          .redirectError(errFile.toFile());
      if (command.stdin().length == 0) {
        builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
      }
      Process process;
      try {
        process = builder.start();
      } catch (IOException e) {
        throw new StorageException.Unsupported(command.tool() + " cannot be run (" + e.getMessage()
            + "): run scripts/setup.sh, which installs it");
      }
      if (command.stdin().length > 0) {
        try (OutputStream in = process.getOutputStream()) {
          in.write(command.stdin());
        } catch (IOException e) {
          // The tool ended before reading its input; its exit code and error output say why.
        }
      }
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
        throw new StorageException.CommandTimedOut(command.display(), timeout);
      }
      return new CommandResult(process.exitValue(), read(out), read(errFile));
    } catch (IOException e) {
      throw new StorageException.HostIo("running " + command.display(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException.HostIo("interrupted while running " + command.display(), e);
    } finally {
      deleteQuietly(out);
      deleteQuietly(err);
    }
  }

  private static Path tempFile() throws IOException {
    return Files.createTempFile("sf-storage-", ".out",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
  }

  private static String read(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return new String(in.readNBytes(MAX_OUTPUT), StandardCharsets.UTF_8);
    }
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // A temp file left behind; nothing secret is in it.
      }
    }
  }
}
