package dev.hoist.cli;

import dev.hoist.Hoist;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What Ctrl-C (SIGINT, or SIGTERM) does during a pull or an unpack: the JVM runs this hook, which
 * stops hoist's download threads and interrupts the command's own thread, waits (a while) for the
 * command to unwind, so that an unfinished root filesystem is removed, then says what happened.
 * Nothing is lost: partial downloads stay in the store's ingest files and the next pull resumes
 * them; the operating system releases the store's locks with the process.
 */
final class Interruption implements AutoCloseable {
  /** How long a stopped command may take to remove what it had unpacked so far. */
  private static final long UNWIND_SECONDS = 30;

  private final Thread hook;
  private final CountDownLatch unwound = new CountDownLatch(1);
  private volatile boolean stopping;

  private Interruption(Hoist hoist, Thread command, Runnable report) {
    this.hook = new Thread(() -> {
      stopping = true;
      hoist.close();
      command.interrupt();
      try {
        unwound.await(UNWIND_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      report.run();
    }, "hoist-interrupt");
  }

  /**
   * Installs the hook for a command running on the calling thread.
   *
   * @param report says, once the command has unwound, that it was cancelled
   */
  static Interruption onSigint(Hoist hoist, Runnable report) {
    Interruption interruption = new Interruption(hoist, Thread.currentThread(), report);
    Runtime.getRuntime().addShutdownHook(interruption.hook);
    return interruption;
  }

  /**
   * Called by the command when it is done, normally or not. When the hook stopped it, this never
   * returns: the JVM is exiting, the hook reports the cancellation, and the failure the
   * cancellation caused must not be reported as well.
   */
  @Override
  public void close() {
    unwound.countDown();
    if (stopping) {
      while (true) {
        try {
          Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
          // exiting: the hook ends the JVM
        }
      }
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down: the hook has run or is running.
    }
  }
}
