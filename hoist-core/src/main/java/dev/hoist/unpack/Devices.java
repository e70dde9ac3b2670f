package dev.hoist.unpack;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * Character and block devices and FIFOs, made with the {@code mknod} command (the JDK cannot) and
 * only as root, where it is allowed; otherwise skipped with a note. {@code mknod -m} sets the mode,
 * because setting it from Java would open the node, and opening a FIFO blocks.
 */
final class Devices {
  private final boolean asRoot;
  private final Notes notes;

  Devices(boolean asRoot, Notes notes) {
    this.asRoot = asRoot;
    this.notes = notes;
  }

  static boolean isDevice(TarArchiveEntry entry) {
    return entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO();
  }

  /** True as root; otherwise notes, once per kind, that such nodes are skipped. */
  boolean allowed(TarArchiveEntry entry) {
    String kind =
        entry.isFIFO() ? "FIFOs" : entry.isBlockDevice() ? "block devices" : "character devices";
    if (!asRoot) {
      notes.once(kind, kind + " not created (not root)");
    }
    return asRoot;
  }

  /** Creates the node at a path where nothing is. */
  void create(Path path, TarArchiveEntry entry) throws IOException {
    String mode = Integer.toOctalString(Metadata.mode(entry));
    List<String> command =
        entry.isFIFO()
            ? List.of("mknod", "-m", mode, path.toString(), "p")
            : List.of(
                "mknod",
                "-m",
                mode,
                path.toString(),
                entry.isBlockDevice() ? "b" : "c",
                Integer.toString(entry.getDevMajor()),
                Integer.toString(entry.getDevMinor()));
    run(command);
  }

  private static void run(List<String> command) throws IOException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (process.waitFor() != 0) {
        throw new IOException(String.join(" ", command) + " failed: " + output.strip());
      }
    } catch (InterruptedException e) {
      process.destroy();
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while running mknod");
    }
  }
}
