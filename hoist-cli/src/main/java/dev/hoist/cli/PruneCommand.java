package dev.hoist.cli;

import dev.hoist.Hoist;
import dev.hoist.catalog.GarbageCollector;
import dev.hoist.catalog.Removal;
import dev.hoist.cli.progress.Units;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hoist image prune} (dangling images), {@code hoist system prune} (those, then every
 * unreferenced blob and partial download) and {@code hoist gc} (only the latter, no question).
 */
final class PruneCommand {
  private PruneCommand() {}

  /** What both prunes share: the store options and docker's {@code -f} to skip the question. */
  abstract static class Confirmed implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin GlobalOptions global;

    @Option(names = {"-f", "--force"}, description = "Do not ask for confirmation.")
    boolean force;
  }

  @Command(
      name = "prune",
      mixinStandardHelpOptions = true,
      description = "Remove dangling images: those no tag names any more.",
      footer = {"", "Examples:", "  hoist image prune -f"})
  static final class ImagePrune extends Confirmed {
    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      if (!force && !confirm(out, "WARNING! This will remove all dangling images.")) {
        return 0;
      }
      try (Hoist hoist = global.hoist().build()) {
        Removal removal = hoist.images().pruneDangling();
        printDeletedImages(removal, out);
        out.println("Total reclaimed space: " + Units.size(removal.reclaimedBytes()));
      }
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "prune",
      mixinStandardHelpOptions = true,
      description = {
        "Remove dangling images, unreferenced blobs and partial downloads.",
        "Waits for running pulls."
      },
      footer = {"", "Examples:", "  hoist system prune -f"})
  static final class SystemPrune extends Confirmed {
    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      if (!force && !confirm(out, String.join("\n",
          "WARNING! This will remove:",
          "  - all dangling images",
          "  - all blobs no image references",
          "  - all partial downloads",
          ""))) {
        return 0;
      }
      try (Hoist hoist = global.hoist().build()) {
        Removal removal = hoist.images().pruneDangling();
        printDeletedImages(removal, out);
        GarbageCollector.Report collected = hoist.collectGarbage();
        if (!collected.deletedBlobs().isEmpty()) {
          out.println("Deleted Blobs:");
          collected.deletedBlobs().forEach(out::println);
          out.println();
        }
        out.println("Total reclaimed space: "
            + Units.size(removal.reclaimedBytes() + collected.reclaimedBytes()));
      }
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "gc",
      mixinStandardHelpOptions = true,
      description = {
        "Delete unreferenced blobs and partial downloads.",
        "Images stay as they are. Waits for running pulls, loads and unpacks of the store."
      },
      footer = {"", "Examples:", "  hoist gc", "  hoist gc --store /var/cache/images"})
  static final class Gc implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin GlobalOptions global;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      try (Hoist hoist = global.hoist().build()) {
        GarbageCollector.Report report = hoist.collectGarbage();
        report.deletedBlobs().forEach(d -> out.println("Deleted: " + d));
        out.println("Deleted " + report.deletedBlobs().size() + " unreferenced blobs ("
            + Units.size(report.blobBytes()) + ") and " + Units.size(report.partialBytes())
            + " of partial downloads");
        out.println("Total reclaimed space: " + Units.size(report.reclaimedBytes()));
      }
      out.flush();
      return 0;
    }
  }

  private static void printDeletedImages(Removal removal, PrintWriter out) {
    if (removal.untagged().isEmpty() && removal.deleted().isEmpty()) {
      return;
    }
    out.println("Deleted Images:");
    RmiCommand.print(removal, out, "untagged: ", "deleted: ");
    out.println();
  }

  /** docker's question; anything but y or yes (or the end of input) answers no. */
  private static boolean confirm(PrintWriter out, String warning) throws IOException {
    out.print(warning + (warning.endsWith("\n") ? "" : "\n") + "Are you sure you want to continue? [y/N] ");
    out.flush();
    String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    String a = answer == null ? "" : answer.trim().toLowerCase(Locale.ROOT);
    return a.equals("y") || a.equals("yes");
  }
}
