package dev.hoist.cli;

import dev.hoist.Hoist;
import dev.hoist.reference.ImageReference;
import dev.hoist.unpack.UnpackOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hoist unpack IMAGE DIR}: an image of the store as a root filesystem. */
@Command(
    name = "unpack",
    mixinStandardHelpOptions = true,
    description = {
      "Unpack an image from the local store into a root filesystem directory.",
      "DIR must not exist or be empty; it appears only once every layer applied and verified."
    },
    footer = {
      "",
      "Examples:",
      "  hoist pull debian:bookworm && hoist unpack debian:bookworm ./rootfs",
      "  hoist pull --unpack ./rootfs alpine    (unpack while pulling)"
    })
final class UnpackCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin GlobalOptions global;

  @Option(
      names = "--max-size",
      paramLabel = "BYTES",
      description = "Refuse images that unpack to more file data than this (default: 64 GiB).")
  long maxSize = UnpackOptions.DEFAULT_MAX_BYTES;

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The image, as pulled.")
  String image;

  @Parameters(index = "1", paramLabel = "DIR", description = "Where the root filesystem goes.")
  Path directory;

  @Override
  public Integer call() throws Exception { // failures: the Errors handler
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ImageReference ref = ImageReference.parse(image);
    Path done;
    try (Hoist hoist = global.hoist().build();
        Interruption interruption = Interruption.onSigint(hoist, true, unwound -> {
          err.println("Error: unpack cancelled; "
              + (unwound ? "nothing was left in " + directory : Interruption.leftBehind(directory)));
          err.flush();
        })) {
      done = hoist.unpack(ref, directory, UnpackOptions.defaults().withMaxBytes(maxSize),
          note -> err.println("NOTE: " + note));
    }
    out.println("Unpacked " + ref.withDefaultTag().familiarString() + " to " + done);
    out.flush();
    return 0;
  }
}
