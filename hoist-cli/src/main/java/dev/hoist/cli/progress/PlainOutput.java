package dev.hoist.cli.progress;

import dev.hoist.pull.LayerEvent;
import dev.hoist.pull.LayerStatus;
import dev.hoist.pull.PullResult;
import dev.hoist.reference.ImageReference;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;

/**
 * Log lines: one per change of a layer's state, byte counts left out, no escape codes, as
 * docker's CLI prints a pull when its output is not a terminal.
 */
final class PlainOutput implements PullOutput {
  private final PrintWriter out;
  private final PrintWriter err;
  private final Map<String, String> lastLine = new HashMap<>();

  PlainOutput(PrintWriter out, PrintWriter err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public synchronized void pullStarted(ImageReference reference, String tagOrDigest) {
    line(tagOrDigest + ": Pulling from " + reference.path());
  }

  @Override
  public synchronized void layer(LayerEvent event) {
    if (event.status() == LayerStatus.DOWNLOADING || event.status() == LayerStatus.EXTRACTING) {
      return; // progress, not a change of state
    }
    String text = event.id() + ": " + LayerTable.status(event);
    if (!text.equals(lastLine.put(event.id(), text))) {
      line(text);
    }
  }

  @Override
  public synchronized void warning(String message) {
    line("WARNING: " + message);
  }

  @Override
  public synchronized void pullFinished(PullResult result) {
    line("Digest: " + result.digest());
  }

  @Override
  public synchronized void line(String text) {
    out.println(text);
    out.flush();
  }

  @Override
  public void error(String message) {
    err.println("Error: " + message);
    err.flush();
  }

  @Override
  public void close() {
    out.flush();
  }
}
