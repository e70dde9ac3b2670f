package dev.hoist.cli;

import dev.hoist.Hoist;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code hoist tag SOURCE TARGET}: another name for an image of the store. */
@Command(
    name = "tag",
    mixinStandardHelpOptions = true,
    description = "Create a tag TARGET that refers to the image SOURCE names.",
    footer = {
      "",
      "Examples:",
      "  hoist tag debian:bookworm registry.example.com/base/debian:12",
      "  hoist tag 3f4d90098f5b mytool:stable      (by image ID prefix)"
    })
final class TagCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;

  @Parameters(index = "0", paramLabel = "SOURCE", description = "Name, name@digest or image ID.")
  String source;

  @Parameters(index = "1", paramLabel = "TARGET", description = "NAME[:TAG] (default tag: latest).")
  String target;

  @Override
  public Integer call() throws Exception {
    try (Hoist hoist = global.hoist().build()) {
      hoist.images().tag(source, target);
    }
    return 0;
  }
}
