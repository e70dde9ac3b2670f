package dev.hoist.pull;

import dev.hoist.registry.MirrorFallback;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Turns a pull's mirror fallbacks into warnings for its listener, once per pair of endpoints: a
 * mirror that is down fails every request of the pull, and saying so for each blob would bury the
 * progress. Thread-safe.
 */
final class FallbackReporter implements Consumer<MirrorFallback> {
  private final PullListener events;
  private final Set<String> reported = ConcurrentHashMap.newKeySet();

  FallbackReporter(PullListener events) {
    this.events = events;
  }

  @Override
  public void accept(MirrorFallback fallback) {
    if (reported.add(fallback.failed().root() + " -> " + fallback.next().root())) {
      events.warning(fallback.message());
    }
  }
}
