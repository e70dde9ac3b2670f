package dev.hoist.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BodyStreamTest {
  /** Records what the stream asks of the connection. */
  static final class RecordingSubscription implements Flow.Subscription {
    final AtomicLong requested = new AtomicLong();
    final AtomicBoolean cancelled = new AtomicBoolean();

    @Override
    public void request(long n) {
      requested.addAndGet(n);
    }

    @Override
    public void cancel() {
      cancelled.set(true);
    }
  }

  private static ByteBuffer bytes(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsBuffersInOrderAndAsksForOneListAtATime() throws IOException {
    BodyStream body = new BodyStream(Duration.ofSeconds(5), "test");
    RecordingSubscription subscription = new RecordingSubscription();
    body.onSubscribe(subscription);
    body.onNext(List.of(bytes("hello "), bytes("world")));
    body.onComplete();

    assertThat(new String(body.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello world");
    assertThat(subscription.requested.get()).isEqualTo(33); // 32 ahead, then one per list read
  }

  @Test
  void failsAndCancelsWhenTheServerGoesQuiet() {
    BodyStream body = new BodyStream(Duration.ofMillis(50), "GET http://registry/blob");
    RecordingSubscription subscription = new RecordingSubscription();
    body.onSubscribe(subscription);
    body.onNext(List.of(bytes("some")));

    assertThatThrownBy(body::readAllBytes)
        .isInstanceOf(BodyStream.StalledException.class)
        .hasMessageContaining("while reading GET http://registry/blob");
    assertThat(subscription.cancelled).isTrue();
  }

  @Test
  void passesConnectionErrorsOn() {
    BodyStream body = new BodyStream(Duration.ofSeconds(5), "test");
    body.onSubscribe(new RecordingSubscription());
    body.onError(new java.io.EOFException("EOF reached while reading"));

    assertThatThrownBy(body::read).isInstanceOf(java.io.EOFException.class);
  }
}
