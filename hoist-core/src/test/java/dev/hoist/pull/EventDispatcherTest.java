package dev.hoist.pull;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hoist.image.Digest;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventDispatcherTest {
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final Digest layer = Digest.sha256("layer");

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  @Test
  void aThrowingListenerMissesNothingAfterItsFailure() {
    List<LayerStatus> seen = new CopyOnWriteArrayList<>();
    PullListener throwing = new PullListener() {
      @Override
      public void layer(LayerEvent event) {
        seen.add(event.status());
        if (event.status() == LayerStatus.PULLING_FS_LAYER) {
          throw new IllegalStateException("listener bug");
        }
      }
    };
    EventDispatcher events = new EventDispatcher(throwing, executor);

    events.layer(new LayerEvent(layer, LayerStatus.PULLING_FS_LAYER, 0, 10));
    events.layer(new LayerEvent(layer, LayerStatus.PULL_COMPLETE, 10, 10));
    events.drain();

    assertThat(seen).containsExactly(LayerStatus.PULLING_FS_LAYER, LayerStatus.PULL_COMPLETE);
  }

  @Test
  void aSlowListenerNeitherBlocksTheDownloadNorLosesAChangeOfState() {
    List<LayerEvent> seen = new CopyOnWriteArrayList<>();
    PullListener slow = new PullListener() {
      @Override
      public void layer(LayerEvent event) {
        seen.add(event);
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    EventDispatcher events = new EventDispatcher(slow, executor);

    events.layer(new LayerEvent(layer, LayerStatus.PULLING_FS_LAYER, 0, 100_000));
    for (int i = 1; i <= 100_000; i++) {
      events.layer(new LayerEvent(layer, LayerStatus.DOWNLOADING, i, 100_000));
    }
    events.layer(new LayerEvent(layer, LayerStatus.DOWNLOAD_COMPLETE, 100_000, 100_000));
    events.drain();

    // Delivered in line, all 100,002 events would reach the listener (in half an hour); coalesced,
    // the producer never waits and the listener sees only what it has time for.
    assertThat(seen.size()).isLessThan(1000);
    assertThat(seen.get(0).status()).isEqualTo(LayerStatus.PULLING_FS_LAYER);
    assertThat(seen.get(seen.size() - 1).status()).isEqualTo(LayerStatus.DOWNLOAD_COMPLETE);
    assertThat(seen.get(seen.size() - 2).current()).isEqualTo(100_000);
  }
}
