package dev.hoist.registry;

import java.lang.reflect.InvocationTargetException;
import java.net.http.HttpClient;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stops a JDK {@link HttpClient}'s selector thread. Besides freeing it, this saves a third of a
 * second at exit: a JVM that exits while any thread sits in a native call such as {@code
 * epoll_wait} waits up to 300 ms for it ({@code VM_Exit::wait_for_threads_in_native_to_block}),
 * and an idle client's selector thread always does.
 */
final class HttpClientShutdown {
  // JDK 17-20 HttpClientImpl.toString() ends with "(<id>)", the id in its selector thread's name.
  private static final Pattern CLIENT_ID = Pattern.compile("\\((\\d+)\\)$");

  private HttpClientShutdown() {}

  /** Shuts {@code client} down at once, interrupting whatever it is still doing. */
  static void now(HttpClient client) {
    try {
      // JDK 21+: HttpClient.shutdownNow(); hoist compiles for 17, so it is looked up.
      HttpClient.class.getMethod("shutdownNow").invoke(client);
      return;
    } catch (NoSuchMethodException e) {
      // JDK 17-20: no shutdown API; the selector thread ends when interrupted.
    } catch (IllegalAccessException | InvocationTargetException e) {
      return;
    }
    Matcher id = CLIENT_ID.matcher(client.toString());
    if (!id.find()) {
      return;
    }
    String name = "HttpClient-" + id.group(1) + "-SelectorManager";
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.getName().equals(name)) {
        thread.interrupt();
      }
    }
  }
}
