package dev.hoist.cli;

import dev.hoist.Hoist;
import dev.hoist.platform.Platform;
import dev.hoist.cli.progress.ProgressMode;
import dev.hoist.cli.progress.PullOutput;
import dev.hoist.pull.PullRequest;
import dev.hoist.pull.PullResult;
import dev.hoist.reference.ImageReference;
import java.io.PrintWriter;
import java.util.List;
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
      "  hoist pull --all-tags localhost:5000/team/app",
      "  hoist pull --store ./images localhost:5000/team/app@sha256:<digest>"
    })
final class PullCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin GlobalOptions global;

  @Option(names = {"-a", "--all-tags"}, description = "Pull every tag of the repository.")
  boolean allTags;

  @Option(
      names = "--allow-foreign-layers",
      description = "Fetch foreign (non-distributable) layers the registry lacks from their URLs.")
  boolean foreignLayers;

  @Option(
      names = "--enable-schema1",
      description = "Convert deprecated Docker schema 1 images instead of refusing them (also set by"
          + " $DOCKER_ENABLE_DEPRECATED_PULL_SCHEMA_1_IMAGE or $HOIST_ENABLE_DEPRECATED_PULL_SCHEMA_1_IMAGE).")
  boolean schema1;

  @Option(
      names = "--progress",
      paramLabel = "MODE",
      defaultValue = "auto",
      converter = ProgressModes.class,
      description = "How to show progress: auto, tty, plain or json (default: ${DEFAULT-VALUE}).")
  ProgressMode progress;

  @Option(
      names = "--unpack",
      paramLabel = "DIR",
      description = "Also unpack the image's root filesystem into DIR, layer by layer as they arrive.")
  java.nio.file.Path unpackTo;

  @Option(names = {"-q", "--quiet"}, description = "Print only the image's reference.")
  boolean quiet;

  @Option(
      names = "--max-concurrent-downloads",
      paramLabel = "N",
      description = "How many layers download at once (default: 3, or the configuration file's).")
  Integer maxConcurrentDownloads;

  @Option(
      names = "--platform",
      paramLabel = "OS/ARCH[/VARIANT]",
      defaultValue = "${env:DOCKER_DEFAULT_PLATFORM}",
      description =
          "Platform to pull from a multi-platform image, e.g. linux/arm64 (default: this machine;"
              + " $DOCKER_DEFAULT_PLATFORM if set).")
  String platform;

  @Option(
      names = "--max-download-attempts",
      paramLabel = "N",
      description = "Attempts per download before the pull fails (default: 5, or the configuration file's).")
  Integer maxDownloadAttempts;

  @Parameters(paramLabel = "NAME[:TAG|@DIGEST]", description = "The image to pull.")
  String image;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (PullOutput output = PullOutput.of(quiet ? ProgressMode.QUIET : progress, out, err)) {
      try {
        pull(output, out);
        return 0;
      } catch (Exception e) {
        output.error(Errors.message(e));
        if (global.debug) {
          e.printStackTrace(err);
        }
        return Errors.exitCode(e);
      }
    }
  }

  private void pull(PullOutput output, PrintWriter out) throws Exception {
    ImageReference ref = ImageReference.parse(image);
    boolean nameOnly = ref.tag().isEmpty() && ref.digest().isEmpty();
    if (allTags && !nameOnly) {
      throw new IllegalArgumentException("tag can't be used with --all-tags/-a");
    }
    if (nameOnly && !allTags) {
      output.line("Using default tag: latest");
    }
    PullRequest request = new PullRequest(ref)
        .withForeignLayers(foreignLayers)
        .withSchema1(schema1 || isSet("DOCKER_ENABLE_DEPRECATED_PULL_SCHEMA_1_IMAGE")
            || isSet("HOIST_ENABLE_DEPRECATED_PULL_SCHEMA_1_IMAGE"));
    if (platform != null && !platform.isBlank()) {
      request = request.withPlatform(Platform.parse(platform));
    }
    if (unpackTo != null) {
      if (allTags) {
        throw new IllegalArgumentException("--unpack can't be used with --all-tags/-a");
      }
      request = request.withUnpackTo(unpackTo, dev.hoist.unpack.UnpackOptions.defaults());
    }
    Hoist.Builder builder = global.hoist(); // the configuration file, then the flags over it
    if (maxConcurrentDownloads != null) {
      builder.maxConcurrentDownloads(maxConcurrentDownloads);
    }
    if (maxDownloadAttempts != null) {
      builder.maxDownloadAttempts(maxDownloadAttempts);
    }
    String pulled;
    try (Hoist hoist = builder.build();
        Interruption interruption = Interruption.onSigint(hoist, unpackTo != null,
            unwound -> output.error("pull cancelled; partial downloads are kept and the next pull"
                + " resumes them" + (unwound ? "" : "; " + Interruption.leftBehind(unpackTo))))) {
      if (allTags) {
        List<PullResult> results = hoist.pullAllTags(request, output);
        boolean changed = results.stream().anyMatch(PullResult::tagChanged);
        output.line((changed ? "Status: Downloaded newer image for " : "Status: Image is up to date for ")
            + ref.familiarName());
        pulled = ref.withoutTag().withoutDigest().toString();
      } else {
        PullResult result = hoist.pull(request, output);
        output.line(result.statusLine());
        pulled = result.reference().toString();
      }
    }
    output.summary();
    if (progress != ProgressMode.JSON || quiet) {
      out.println(pulled);
      out.flush();
    }
  }

  private static boolean isSet(String variable) {
    String value = System.getenv(variable);
    return value != null && !value.isEmpty();
  }
}
