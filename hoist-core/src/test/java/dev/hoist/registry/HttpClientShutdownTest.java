package dev.hoist.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpClientShutdownTest {
  private HttpServer server;

  @BeforeEach
  void startServer() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  @Test
  void theClientsSelectorThreadEnds() throws Exception {
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    HttpClient client = HttpClient.newHttpClient();
    URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v2/");
    assertThat(client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding())
        .statusCode()).isEqualTo(200);
    List<Thread> selectors = newSelectorThreads(before);
    assertThat(selectors).hasSize(1); // the idle client's thread, parked in epoll_wait

    HttpClientShutdown.now(client);

    selectors.get(0).join(5_000);
    assertThat(selectors.get(0).isAlive()).isFalse();
  }

  @Test
  void aClientThatNeverSentAnythingStopsToo() throws Exception {
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    HttpClient client = HttpClient.newHttpClient();
    List<Thread> selectors = newSelectorThreads(before);
    assertThat(selectors).hasSize(1); // started with the client

    HttpClientShutdown.now(client);

    selectors.get(0).join(5_000);
    assertThat(selectors.get(0).isAlive()).isFalse();
  }

  private static List<Thread> newSelectorThreads(Set<Thread> before) {
    Set<Thread> now = new HashSet<>(Thread.getAllStackTraces().keySet());
    now.removeAll(before);
    return now.stream().filter(t -> t.getName().endsWith("-SelectorManager")).toList();
  }
}
