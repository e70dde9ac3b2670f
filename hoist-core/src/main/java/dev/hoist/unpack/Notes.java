package dev.hoist.unpack;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/** Tells the user about each kind of thing that was not applied, once per unpack. */
final class Notes {
  private final Consumer<String> sink;
  private final Set<String> said = new HashSet<>();

  Notes(Consumer<String> sink) {
    this.sink = sink;
  }

  void once(String kind, String message) {
    if (said.add(kind)) {
      sink.accept(message);
    }
  }
}
