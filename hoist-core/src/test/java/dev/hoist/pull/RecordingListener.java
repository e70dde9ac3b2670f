package dev.hoist.pull;

import dev.hoist.reference.ImageReference;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every event of a pull, for assertions. */
final class RecordingListener implements PullListener {
  final List<LayerEvent> layers = new CopyOnWriteArrayList<>();
  final List<String> lines = new CopyOnWriteArrayList<>();

  @Override
  public void pullStarted(ImageReference reference, String tagOrDigest) {
    lines.add(tagOrDigest + ": Pulling from " + reference.path());
  }

  @Override
  public void layer(LayerEvent event) {
    layers.add(event);
    if (event.status().isFinal()) {
      lines.add(event.id() + ": " + event.status().text());
    }
  }

  @Override
  public void warning(String message) {
    lines.add("WARNING: " + message);
  }

  /** The final state of each layer, in the order they were reported. */
  List<LayerEvent> finals() {
    return layers.stream().filter(e -> e.status().isFinal()).toList();
  }
}
