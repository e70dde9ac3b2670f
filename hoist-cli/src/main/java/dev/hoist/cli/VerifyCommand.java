package dev.hoist.cli;

import dev.hoist.Hoist;
import dev.hoist.catalog.StoreVerifier;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hoist verify}: the store's fsck. */
@Command(
    name = "verify",
    aliases = {"fsck"},
    mixinStandardHelpOptions = true,
    description = {
      "Check the store: re-hash every blob, check every image is complete.",
      "Exits 1 when something is wrong; --repair deletes corrupt blobs and the names of",
      "images that are no longer complete (pull them again to restore them)."
    },
    footer = {"", "Examples:", "  hoist verify", "  hoist verify --repair"})
final class VerifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin GlobalOptions global;

  @Option(names = "--repair", description = "Remove what is broken.")
  boolean repair;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    StoreVerifier.Report report;
    try (Hoist hoist = global.hoist().build()) {
      report = hoist.verify(repair);
    }
    report.problems().forEach(p -> err.println("ERROR: " + p));
    report.removed().forEach(r -> out.println("Removed " + r));
    out.println("Checked " + report.blobsChecked() + " blobs: "
        + (report.ok() ? "no problems found" : report.problems().size() + " problems found"
            + (repair ? ", " + report.removed().size() + " removed" : " (fix with --repair)")));
    out.flush();
    err.flush();
    return report.ok() ? 0 : Errors.FAILED;
  }
}
