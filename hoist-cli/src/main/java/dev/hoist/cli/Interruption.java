package dev.hoist.cli;

import dev.hoist.Hoist;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What Ctrl-C (SIGINT, or SIGTERM) does during a pull or an unpack: the JVM runs this hook, which
 * stops hoist's download threads and says what happened. Nothing is lost: partial downloads stay
 * in the store's ingest files and the next pull resumes them; the operating system releases the
 * store's locks with the process. When the command unpacks, the hook also interrupts the command's
 * thread and waits (a while) for it to unwind, so that the unfinished root filesystem is removed
 * before the JVM ends.
 */
final class Interruption implements AutoCloseable {
  /** How long a stopped command may take to remove what it had unpacked so far. */
  private static final long UNWIND_SECONDS = 30;

  /** Says that the command was cancelled; {@code unwound} false when it did not finish in time. */
  interface Report {
    void cancelled(boolean unwound);
  }

  private final Thread hook;
  private final CountDownLatch unwound = new CountDownLatch(1);
  // Whichever comes first, the command's end (close) or the hook, decides; the other yields.
  private final AtomicBoolean decided = new AtomicBoolean();

  private Interruption(Hoist hoist, Thread command, boolean unpacking, Report report) {
    this.hook = new Thread(() -> {
      if (!decided.compareAndSet(false, true)) {
        return; // the command has ended: nothing to cancel
      }
      hoist.close();
      boolean done = true;
      if (unpacking) {
        command.interrupt();
        done = await();
      }
      report.cancelled(done);
    }, "hoist-interrupt");
  }

  /**
   * Installs the hook for a command running on the calling thread.
   *
   * @param unpacking whether the command unpacks: the hook then waits for it to clean up
   */
  static Interruption onSigint(Hoist hoist, boolean unpacking, Report report) {
    Interruption interruption =
        new Interruption(hoist, Thread.currentThread(), unpacking, report);
    Runtime.getRuntime().addShutdownHook(interruption.hook);
    return interruption;
  }

  /** What a cancelled unpack that did not clean up in time leaves, and what removes it. */
  static String leftBehind(Path target) {
    return "the unfinished root filesystem next to " + target
        + " is removed by the next unpack into it";
  }

  private boolean await() {
    try {
      return unwound.await(UNWIND_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Called by the command when its work has ended, normally or not, before it reports anything.
   * When the hook stopped it, this never returns: the JVM is exiting, the hook reports the
   * cancellation, and the failure (or late success) of the command must not be reported as well.
   */
  @Override
  public void close() {
    unwound.countDown();
    if (!decided.compareAndSet(false, true)) { // the hook stopped the command
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
      // The JVM is already shutting down: the hook has run or is running, and returns at once.
    }
  }
}
