package dev.hoist.testing;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

/**
 * A loopback TCP front for a plain-HTTP {@code com.sun.net.httpserver} server that answers a TLS
 * handshake the way Go's {@code net/http} (and so a real registry) does: at once, with {@code 400
 * Bad Request}, then closes. The JDK server instead waits for a CRLF that a ClientHello never
 * sends, so a client probing HTTPS first (as docker does for insecure registries) would hang until
 * its timeout. Everything else is relayed byte for byte to the backend.
 *
 * <p>When the backend asks ({@link #resetWhenDone}), a connection ends with a TCP reset instead of
 * a clean close, as when a proxy or load balancer drops it.
 */
final class PlainHttpFront implements Closeable {
  private static final int TLS_HANDSHAKE = 0x16;
  private static final long RESET_GRACE_MILLIS = 200;
  private static final byte[] BAD_REQUEST =
      ("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
              + "Connection: close\r\n\r\n400 Bad Request")
          .getBytes(StandardCharsets.US_ASCII);

  private final ServerSocket server;
  private final InetSocketAddress backend;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final Set<Integer> resetting = ConcurrentHashMap.newKeySet();

  PlainHttpFront(InetSocketAddress backend) throws IOException {
    this.backend = backend;
    this.server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    executor.execute(this::acceptLoop);
  }

  int port() {
    return server.getLocalPort();
  }

  /**
   * Ends the client connection relayed to the backend's peer port {@code upstreamPort} (the remote
   * port the backend sees) with a TCP reset, once the backend closes it and every byte it sent has
   * been relayed and, given a moment, read.
   */
  void resetWhenDone(int upstreamPort) {
    resetting.add(upstreamPort);
  }

  @Override
  public void close() {
    closeQuietly(server);
    sockets.forEach(PlainHttpFront::closeQuietly);
    executor.shutdownNow();
  }

  private static void closeQuietly(Closeable closeable) {
    try {
      closeable.close();
    } catch (IOException e) {
      // Closing a loopback socket only fails if it is already closed.
    }
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        sockets.add(client);
        executor.execute(() -> serve(client));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket client) {
    try (client) {
      PushbackInputStream in = new PushbackInputStream(client.getInputStream());
      int first = in.read();
      if (first == TLS_HANDSHAKE) {
        client.getOutputStream().write(BAD_REQUEST);
        return;
      }
      if (first < 0) {
        return;
      }
      in.unread(first);
      try (Socket upstream = new Socket(backend.getAddress(), backend.getPort())) {
        sockets.add(upstream);
        InputStream responses = upstream.getInputStream();
        int upstreamPort = upstream.getLocalPort();
        Future<?> down =
            executor.submit(() -> pump(responses, client, () -> resetting.remove(upstreamPort)));
        pump(in, upstream, () -> false);
        down.get(); // Let the backend finish answering before closing both sockets.
        sockets.remove(upstream);
      }
    } catch (IOException | ExecutionException e) {
      // The peer went away; nothing to clean up beyond the sockets.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      sockets.remove(client);
    }
  }

  /**
   * Copies until EOF, then half-closes {@code to} so the other side sees the end too, unless {@code
   * to} is to be {@linkplain #resetWhenDone reset}.
   */
  private static void pump(InputStream from, Socket to, BooleanSupplier reset) {
    try {
      OutputStream out = to.getOutputStream();
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = from.read(buffer)) >= 0; ) {
        out.write(buffer, 0, n);
        out.flush();
      }
      if (reset.getAsBoolean()) {
        reset(to);
      } else {
        to.shutdownOutput();
      }
    } catch (IOException e) {
      // Either side closed.
    }
  }

  /**
   * Resets {@code client}: a close with a zero linger time sends RST and drops whatever the client
   * has not read yet, so first give it a moment to read what was relayed.
   */
  private static void reset(Socket client) {
    try {
      Thread.sleep(RESET_GRACE_MILLIS);
      client.setSoLinger(true, 0);
      client.close();
    } catch (IOException e) {
      // Already closed.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
