package dev.hoist.cli;

import dev.hoist.Hoist;
import dev.hoist.platform.Platform;
import dev.hoist.pull.PullRequest;
import dev.hoist.pull.PullResult;
import dev.hoist.reference.ImageReference;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hoist pull NAME[:TAG|@DIGEST]}: docker pull, into the local OCI store. */
@Command(
    name = "pull",
    mixinStandardHelpOptions = true,
    description = "Pull an image from a registry into the local store.",
    footer = {
      "",
      "Examples:",
      "  hoist pull busybox",
      "  hoist pull ghcr.io/owner/app:1.2",
      "  hoist pull --platform linux/arm64 debian:bookworm",
      "  hoist pull --store ./images localhost:5000/team/app@sha256:<digest>"
    })
final class PullCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin GlobalOptions global;

  @Option(names = {"-q", "--quiet"}, description = "Print only the image's reference.")
  boolean quiet;

  @Option(
      names = "--max-concurrent-downloads",
      paramLabel = "N",
      defaultValue = "3",
      description = "How many layers download at once (default: ${DEFAULT-VALUE}).")
  int maxConcurrentDownloads;

  @Option(
      names = "--platform",
      paramLabel = "OS/ARCH[/VARIANT]",
      defaultValue = "${env:DOCKER_DEFAULT_PLATFORM}",
      description =
          "Platform to pull from a multi-platform image, e.g. linux/arm64 (default: this machine;"
              + " $DOCKER_DEFAULT_PLATFORM if set).")
  String platform;

  @Parameters(paramLabel = "NAME[:TAG|@DIGEST]", description = "The image to pull.")
  String image;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    ImageReference ref = ImageReference.parse(image);
    if (ref.tag().isEmpty() && ref.digest().isEmpty() && !quiet) {
      out.println("Using default tag: latest");
    }
    PullRequest request = new PullRequest(ref);
    if (platform != null && !platform.isBlank()) {
      request = request.withPlatform(Platform.parse(platform));
    }
    PullResult result;
    try (Hoist hoist = global.hoist().maxConcurrentDownloads(maxConcurrentDownloads).build()) {
      result = hoist.pull(request, quiet ? dev.hoist.pull.PullListener.NONE : new PlainPullPrinter(out));
    }
    if (!quiet) {
      out.println("Digest: " + result.digest());
      out.println(result.statusLine());
    }
    out.println(result.reference());
    out.flush();
    return 0;
  }
}
