package dev.hoist.cli;

import dev.hoist.Hoist;
import dev.hoist.cli.progress.PullOutput;

/**
 * What Ctrl-C (SIGINT, or SIGTERM) does during a pull: the JVM runs this hook, which stops hoist's
 * download threads and says what happened. Nothing is lost: partial downloads stay in the store's
 * ingest files and the next pull resumes them; the operating system releases the store's locks
 * with the process.
 */
final class Interruption implements AutoCloseable {
  private final Thread hook;

  private Interruption(Thread hook) {
    this.hook = hook;
  }

  static Interruption onSigint(Hoist hoist, PullOutput output) {
    Thread hook = new Thread(() -> {
      hoist.close();
      output.error("pull cancelled; partial downloads are kept and the next pull resumes them");
    }, "hoist-interrupt");
    Runtime.getRuntime().addShutdownHook(hook);
    return new Interruption(hook);
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down: the hook has run or is running.
    }
  }
}
