package dev.hoist.cli;

import dev.hoist.Hoist;
import dev.hoist.archive.LoadListener;
import dev.hoist.archive.LoadedImage;
import dev.hoist.cli.progress.Terminals;
import dev.hoist.cli.progress.Units;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hoist load [-i FILE] [-q]}: docker load, into the local store. */
@Command(
    name = "load",
    mixinStandardHelpOptions = true,
    description = {
      "Load images from a tar archive (read from STDIN by default) into the local store.",
      "Reads what docker save writes (old and new formats), skopeo's docker-archive: and",
      "oci-archive: tars, also gzip- or zstd-compressed. Every blob and layer is verified;",
      "nothing is tagged unless all of them are."
    },
    footer = {
      "",
      "Examples:",
      "  hoist load -i busybox.tar",
      "  hoist load < images.tar",
      "  docker save busybox | hoist load -q",
      "  skopeo copy docker://busybox oci-archive:busybox.tar:busybox:latest && hoist load -i busybox.tar"
    })
final class LoadCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin GlobalOptions global;

  @Option(
      names = {"-i", "--input"},
      paramLabel = "FILE",
      description = "Read from a tar archive file instead of STDIN.")
  Path input;

  @Option(names = {"-q", "--quiet"}, description = "Print only the loaded images, not each layer.")
  boolean quiet;

  @Override
  public Integer call() throws Exception { // failures: the Errors handler
    PrintWriter out = spec.commandLine().getOut();
    LoadListener listener = quiet
        ? LoadListener.NONE
        : (diffId, bytes) -> {
            out.println(diffId.shortHex() + ": Loading layer " + Units.progress(bytes, bytes, true));
            out.flush();
          };
    try (Hoist hoist = global.hoist().build()) {
      List<LoadedImage> loaded;
      if (input != null) {
        loaded = hoist.load(input, listener);
      } else {
        if (Terminals.isTerminal(Terminals.STDIN)) {
          throw new IllegalArgumentException("requested load from stdin, but stdin is empty");
        }
        loaded = hoist.load(System.in, listener);
      }
      loaded.forEach(image -> out.println(image.statusLine()));
      out.flush();
      return 0;
    }
  }
}
