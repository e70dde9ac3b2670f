package dev.hoist.testing;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real HTTP proxy ({@code tinyproxy}, Debian package {@code tinyproxy}) on a free port of
 * 127.0.0.1, with its own configuration and log in a fresh temp dir, optionally wanting Basic
 * credentials. {@link #requests()} reads from its log the requests it relayed: {@code GET
 * http://host:port/path} for plain HTTP, {@code CONNECT host:port} for tunnels. {@link #close()}
 * stops it and deletes the dir.
 */
public final class Tinyproxy implements AutoCloseable {
  private static final Pattern REQUEST = Pattern.compile("Request \\(file descriptor \\d+\\): (\\S+ \\S+)");
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(10);

  private final Path dir;
  private final ServerProcess server;
  private final int port;

  private Tinyproxy(Path dir, Process process, int port) {
    this.dir = dir;
    this.server = new ServerProcess("tinyproxy-" + port, process, dir);
    this.port = port;
  }

  /** A proxy anyone may use. */
  public static Tinyproxy start() throws IOException {
    return start(null, null);
  }

  /** A proxy that wants {@code user} and {@code password} (Basic) for every request, tunnels too. */
  public static Tinyproxy start(String user, String password) throws IOException {
    Path dir = Files.createTempDirectory("hoist-tinyproxy");
    try {
      IOException last = null;
      for (int attempt = 0; attempt < 3; attempt++) {
        int port = ServerProcess.freePort("127.0.0.1");
        Path config = dir.resolve("tinyproxy.conf");
        Files.writeString(config, config(dir, port, user, password));
        Process process = Tools.start(
            new ProcessBuilder("tinyproxy", "-d", "-c", config.toString()).directory(dir.toFile()),
            dir.resolve("stdout.log"));
        try {
          awaitListening(process, port, dir);
          return new Tinyproxy(dir, process, port);
        } catch (IOException e) {
          ServerProcess.stop(process, "tinyproxy");
          last = e;
        }
      }
      throw last;
    } catch (IOException | RuntimeException e) {
      Dirs.deleteRecursively(dir);
      throw e;
    }
  }

  /** {@code http://127.0.0.1:PORT}, or with {@code user:password@} when given. */
  public String url(String user, String password) {
    return "http://" + user + ":" + password + "@127.0.0.1:" + port;
  }

  /** {@code http://127.0.0.1:PORT}. */
  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /** The requests relayed so far, oldest first: {@code "GET http://h:p/v2/"}, {@code "CONNECT h:p"}. */
  public List<String> requests() throws IOException {
    List<String> requests = new ArrayList<>();
    Path log = dir.resolve("tinyproxy.log");
    if (!Files.exists(log)) {
      return requests;
    }
    for (String line : Files.readAllLines(log)) {
      Matcher m = REQUEST.matcher(line);
      if (m.find()) {
        requests.add(m.group(1));
      }
    }
    return requests;
  }

  /** The whole log, for assertion messages. */
  public String log() throws IOException {
    Path log = dir.resolve("tinyproxy.log");
    return Files.exists(log) ? Files.readString(log) : "";
  }

  @Override
  public void close() throws IOException {
    server.close();
  }

  private static String config(Path dir, int port, String user, String password) {
    List<String> lines = new ArrayList<>(List.of(
        "Port " + port,
        "Listen 127.0.0.1",
        "Timeout 60",
        "MaxClients 64",
        "LogFile \"" + dir.resolve("tinyproxy.log") + "\"",
        "LogLevel Connect",
        "PidFile \"" + dir.resolve("tinyproxy.pid") + "\"",
        "DisableViaHeader Yes"));
    if (user != null) {
      lines.add("BasicAuth " + user + " " + password);
    }
    return String.join("\n", lines) + "\n";
  }

  private static void awaitListening(Process process, int port, Path dir) throws IOException {
    long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("tinyproxy exited with " + process.exitValue() + ":\n"
            + Files.readString(dir.resolve("stdout.log")));
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 500);
        return;
      } catch (IOException e) {
        // Not listening yet.
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for tinyproxy");
      }
    }
    throw new IOException("tinyproxy did not listen on port " + port + " within " + STARTUP_TIMEOUT);
  }

}
