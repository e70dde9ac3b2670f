package dev.hoist.cli.progress;

import dev.hoist.pull.LayerEvent;
import dev.hoist.pull.LayerStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The latest state of every layer of a pull, in the order layers first appeared, as docker's
 * jsonmessage keeps one line per id. Thread-safe: download threads write, the render thread reads.
 */
final class LayerTable {
  private final Map<String, LayerEvent> layers = new LinkedHashMap<>();

  synchronized void update(LayerEvent event) {
    layers.put(event.id(), event);
  }

  synchronized List<LayerEvent> snapshot() {
    return new ArrayList<>(layers.values());
  }

  synchronized void clear() {
    layers.clear();
  }

  /** The line docker shows for a layer: {@code id: Downloading [==>  ]  1.2MB/3.4MB}. */
  static String line(LayerEvent e, boolean withBar) {
    String text = e.id() + ": " + status(e);
    if (e.status() == LayerStatus.DOWNLOADING || e.status() == LayerStatus.EXTRACTING) {
      text += " " + Units.progress(e.current(), e.total(), withBar);
    }
    return text;
  }

  static String status(LayerEvent e) {
    if (e.status() == LayerStatus.RETRYING) {
      int s = e.retryInSeconds();
      return "Retrying in " + s + (s == 1 ? " second" : " seconds");
    }
    return e.status().text();
  }
}
