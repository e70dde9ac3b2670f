package dev.hoist.cli;

import dev.hoist.Hoist;
import dev.hoist.cli.progress.Terminals;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hoist save [-o FILE] IMAGE...}: docker save, from the local store. */
@Command(
    name = "save",
    mixinStandardHelpOptions = true,
    description = {
      "Save one or more images from the local store to a tar archive (streamed to STDOUT by default).",
      "The archive is docker's: docker load, skopeo (docker-archive: and oci-archive:) and hoist load read it."
    },
    footer = {
      "",
      "Examples:",
      "  hoist save -o busybox.tar busybox",
      "  hoist save busybox:1.36 alpine:3.20 > images.tar",
      "  hoist save -o app.tar localhost:5000/team/app    (every tag of the repository)",
      "  hoist save busybox | gzip > busybox.tar.gz"
    })
final class SaveCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Write to a file instead of STDOUT (it appears only once complete).")
  Path output;

  @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "The images: NAME[:TAG|@DIGEST], or an image ID or a unique prefix of one.")
  List<String> images;

  @Override
  public Integer call() throws Exception { // failures: the Errors handler
    try (Hoist hoist = global.hoist().build()) {
      if (output != null) {
        hoist.save(images, output);
      } else {
        if (Terminals.isTerminal(Terminals.STDOUT)) {
          throw new IllegalArgumentException(
              "cowardly refusing to save to a terminal. Use the -o flag or redirect");
        }
        // The file descriptor itself: a PrintStream would swallow a broken pipe.
        OutputStream stdout = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
        hoist.save(images, stdout);
        stdout.flush();
      }
      return 0;
    }
  }
}
