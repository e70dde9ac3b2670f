package dev.hoist.transfer;

import java.nio.file.Path;

/**
 * A blob being downloaded, as a reader following the download sees it: where its bytes are, how
 * many are safely written, and how the download ended. The downloader updates it; readers wait on
 * it.
 */
final class LiveBlob {
  private final Path partial;
  private long written;
  private boolean committed;
  private String failure;

  LiveBlob(Path partial, long written) {
    this.partial = partial;
    this.written = written;
  }

  Path partial() {
    return partial;
  }

  synchronized void wrote(long total) {
    if (total < written) {
      failure = "the download of this blob restarted from an earlier byte";
    }
    written = total;
    notifyAll();
  }

  synchronized void committed() {
    committed = true;
    notifyAll();
  }

  synchronized void failed(String why) {
    if (!committed) {
      failure = why;
    }
    notifyAll();
  }

  /**
   * Waits until more than {@code position} bytes are written, and returns how many are; returns
   * {@code position} when the download committed and there is nothing more.
   *
   * @throws java.io.IOException when the download failed or restarted
   */
  synchronized long awaitBeyond(long position) throws java.io.IOException {
    while (written <= position && !committed && failure == null) {
      try {
        wait(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted while following a download");
      }
    }
    if (failure != null) {
      throw new java.io.IOException("cannot follow the download of " + partial.getFileName() + ": " + failure);
    }
    return written;
  }
}
