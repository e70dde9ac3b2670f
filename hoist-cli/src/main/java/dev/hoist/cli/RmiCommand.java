package dev.hoist.cli;

import dev.hoist.Hoist;
import dev.hoist.catalog.Removal;
import dev.hoist.image.Digest;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hoist rmi IMAGE...}: docker's untag-then-delete. */
@Command(
    name = "rmi",
    mixinStandardHelpOptions = true,
    description = {
      "Remove images.",
      "A name is untagged; once nothing names an image, its blobs that no other image uses",
      "are deleted. An image ID untags every name of the image."
    },
    footer = {
      "",
      "Examples:",
      "  hoist rmi debian:bookworm",
      "  hoist rmi -f 3f4d90098f5b    (an image tagged in several repositories)"
    })
final class RmiCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin GlobalOptions global;

  @Option(names = {"-f", "--force"}, description = "Remove an image ID even if several repositories name it.")
  boolean force;

  @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Name, name@digest or image ID.")
  List<String> images;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int exit = 0;
    try (Hoist hoist = global.hoist().build()) {
      for (String image : images) {
        try {
          print(hoist.images().remove(image, force), out, "Untagged: ", "Deleted: ");
        } catch (IOException e) {
          err.println("Error: " + Errors.message(e));
          exit = Errors.FAILED;
        }
      }
    }
    out.flush();
    err.flush();
    return exit;
  }

  static void print(Removal removal, PrintWriter out, String untagged, String deleted) {
    removal.untagged().forEach(name -> out.println(untagged + name));
    for (Digest digest : removal.deleted()) {
      out.println(deleted + digest);
    }
  }
}
