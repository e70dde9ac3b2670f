package dev.hoist.cli.progress;

import dev.hoist.pull.LayerEvent;
import dev.hoist.pull.PullResult;
import dev.hoist.reference.ImageReference;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Docker's live terminal view: one line per layer, redrawn in place. Events only update a table;
 * one render thread redraws it at most ten times a second, so a fast pull spends nothing
 * measurable on output. Lines are cut to the terminal's width, because a wrapped line would break
 * the cursor arithmetic; the bar appears only on terminals wider than 110 columns, as in docker.
 */
final class TtyOutput implements PullOutput {
  private static final String CLEAR_LINE = "\r\u001b[2K";

  private final PrintWriter out;
  private final PrintWriter err;
  private final LayerTable table = new LayerTable();
  private final Thread renderer;
  private volatile int width;
  private volatile boolean dirty;
  private volatile boolean closed;
  private int drawn;
  private final long started = System.nanoTime();
  private long fetched;
  private long reused;

  TtyOutput(PrintWriter out, PrintWriter err, int width) {
    this.out = out;
    this.err = err;
    this.width = width;
    this.renderer = new Thread(this::renderLoop, "hoist-progress");
    renderer.setDaemon(true);
    renderer.start();
  }

  private void renderLoop() {
    long lastWidthCheck = System.nanoTime();
    while (!closed) {
      try {
        TimeUnit.MILLISECONDS.sleep(100);
      } catch (InterruptedException e) {
        return;
      }
      if (System.nanoTime() - lastWidthCheck > 2_000_000_000L) {
        width = TerminalWidth.detect(); // follows a resized terminal
        lastWidthCheck = System.nanoTime();
      }
      if (dirty) {
        redraw();
      }
    }
  }

  @Override
  public synchronized void pullStarted(ImageReference reference, String tagOrDigest) {
    endBlock();
    print(tagOrDigest + ": Pulling from " + reference.path() + "\n");
  }

  @Override
  public void layer(LayerEvent event) {
    table.update(event);
    dirty = true;
  }

  @Override
  public synchronized void warning(String message) {
    endBlock();
    print("WARNING: " + message + "\n");
  }

  @Override
  public synchronized void pullFinished(PullResult result) {
    endBlock();
    fetched += result.bytesDownloaded();
    reused += result.bytesReused();
    print("Digest: " + result.digest() + "\n");
  }

  @Override
  public synchronized void line(String text) {
    endBlock();
    print(text + "\n");
  }

  @Override
  public synchronized void error(String message) {
    endBlock();
    err.println("Error: " + message);
    err.flush();
  }

  /** Beyond docker: what the pull moved, and how fast. */
  @Override
  public synchronized void summary() {
    double seconds = Math.max(0.001, (System.nanoTime() - started) / 1e9);
    print(String.format(java.util.Locale.ROOT, "Fetched %s, reused %s in %.1fs (%s/s)%n",
        Units.size(fetched), Units.size(reused), seconds, Units.size((long) (fetched / seconds))));
  }

  @Override
  public synchronized void close() {
    closed = true;
    renderer.interrupt();
    endBlock();
    out.flush();
  }

  /** Draws the layer block one last time and leaves it behind: later output goes below it. */
  private void endBlock() {
    redraw();
    table.clear();
    drawn = 0;
  }

  private synchronized void redraw() {
    dirty = false;
    List<LayerEvent> rows = table.snapshot();
    if (rows.isEmpty() && drawn == 0) {
      return;
    }
    StringBuilder frame = new StringBuilder();
    if (drawn > 0) {
      frame.append("\u001b[").append(drawn).append('A');
    }
    boolean bar = width > 110;
    for (LayerEvent row : rows) {
      String text = LayerTable.line(row, bar);
      if (text.length() >= width) {
        text = text.substring(0, Math.max(0, width - 1));
      }
      frame.append(CLEAR_LINE).append(text).append('\n');
    }
    drawn = rows.size();
    print(frame.toString());
  }

  private void print(String text) {
    out.print(text);
    out.flush();
  }
}
