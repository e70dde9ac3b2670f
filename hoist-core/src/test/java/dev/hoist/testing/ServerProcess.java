package dev.hoist.testing;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A server process a test started, with its work directory: {@link #close()} stops the one and
 * deletes the other. A JVM killed by a test timeout never calls close(), so a shutdown hook stops
 * the process then.
 */
final class ServerProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path dir;
  private final Thread shutdownHook;

  ServerProcess(String name, Process process, Path dir) {
    this.name = name;
    this.process = process;
    this.dir = dir;
    this.shutdownHook = new Thread(process::destroyForcibly, "stop-" + name);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Stops the process, keeping the directory. */
  void stop() throws InterruptedIOException {
    stop(process, name);
  }

  @Override
  public void close() throws IOException {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // Already shutting down: the hook stops the process.
    }
    try {
      stop();
    } finally {
      Dirs.deleteRecursively(dir);
    }
  }

  /** SIGTERM, then SIGKILL if it has not ended within 5 s. */
  static void stop(Process process, String name) throws InterruptedIOException {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while stopping " + name);
    }
  }

  /** A TCP port free on {@code address} now (another process may take it before the server does). */
  static int freePort(String address) throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(address))) {
      return socket.getLocalPort();
    }
  }
}
