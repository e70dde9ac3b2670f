package dev.hoist.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hoist.image.Digest;
import dev.hoist.image.DigestMismatchException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RetryPolicyTest {
  private final RetryPolicy policy = new RetryPolicy(5, Duration.ofSeconds(1));

  private static RegistryException status(int status) {
    return new RegistryException("x", "r", status, List.of());
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 408, 429, 500, 502, 503, 504})
  void retriesWhatAnotherAttemptCanFix(int status) {
    assertThat(policy.isRetryable(status(status))).isTrue();
  }

  @ParameterizedTest
  @ValueSource(ints = {400, 401, 403, 404, 405, 416})
  void doesNotRetryRefusals(int status) {
    assertThat(policy.isRetryable(status(status))).isFalse();
  }

  @Test
  void retriesDroppedConnectionsButNotWrongBytesInterruptsOrUnreachableHosts() {
    assertThat(policy.isRetryable(new EOFException("EOF reached while reading"))).isTrue();
    assertThat(policy.isRetryable(new IOException("Connection reset"))).isTrue();
    assertThat(policy.isRetryable(new DigestMismatchException("x", Digest.sha256("x")))).isFalse();
    assertThat(policy.isRetryable(new InterruptedIOException())).isFalse();
    assertThat(policy.isRetryable(new UnreachableRegistryException("x", "r", null))).isFalse();
    assertThat(policy.isRetryable(new java.nio.file.FileSystemException("/store"))).isFalse();
  }

  @Test
  void backsOffExponentiallyWithJitterAndACap() {
    for (int attempt = 1; attempt <= 4; attempt++) {
      long expected = 1000L << (attempt - 1);
      assertThat(policy.delay(attempt, status(503)).toMillis())
          .isBetween((long) (expected * 0.8), (long) (expected * 1.2));
    }
    assertThat(policy.delay(30, status(503))).isLessThanOrEqualTo(Duration.ofSeconds(36));
  }

  @Test
  void honoursRetryAfterUpToAMinute() {
    RegistryException soon = new RegistryException("x", "r", 429, List.of(), Duration.ofSeconds(7));
    RegistryException late = new RegistryException("x", "r", 429, List.of(), Duration.ofHours(2));

    assertThat(policy.delay(1, soon)).isEqualTo(Duration.ofSeconds(7));
    assertThat(policy.delay(1, late)).isEqualTo(Duration.ofSeconds(60));
  }
}
