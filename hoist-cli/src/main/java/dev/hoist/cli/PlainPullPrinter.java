package dev.hoist.cli;

import dev.hoist.pull.LayerEvent;
import dev.hoist.pull.LayerStatus;
import dev.hoist.pull.PullListener;
import dev.hoist.pull.PullResult;
import dev.hoist.reference.ImageReference;
import java.io.PrintWriter;

/**
 * Prints a pull as docker does to a log: the "Pulling from" line, one line per layer when it is
 * done ({@code a3ed95caeb02: Pull complete}), then the digest the reference resolved to.
 */
final class PlainPullPrinter implements PullListener {
  private final PrintWriter out;

  PlainPullPrinter(PrintWriter out) {
    this.out = out;
  }

  @Override
  public void pullStarted(ImageReference reference, String tagOrDigest) {
    print(tagOrDigest + ": Pulling from " + reference.path());
  }

  @Override
  public void layer(LayerEvent event) {
    if (event.status().isFinal()) {
      print(event.id() + ": " + event.status().text());
    } else if (event.status() == LayerStatus.RETRYING) {
      int s = event.retryInSeconds();
      print(event.id() + ": Retrying in " + s + (s == 1 ? " second" : " seconds"));
    }
  }

  @Override
  public void pullFinished(PullResult result) {
    print("Digest: " + result.digest());
  }

  @Override
  public void warning(String message) {
    print("WARNING: " + message);
  }

  private synchronized void print(String line) {
    out.println(line);
    out.flush();
  }
}
