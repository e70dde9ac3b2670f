package dev.hoist.registry;

import dev.hoist.hosts.HostsConfigException;
import dev.hoist.image.DigestMismatchException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When and how soon a failed request is tried again: up to {@code maxAttempts} attempts in all
 * (docker's {@code max-download-attempts}, 5 by default), waiting {@code initialBackoff}, then twice
 * that, and so on up to 30 s, with 20% jitter so that many clients do not retry in step. A
 * registry's {@code Retry-After} is honoured up to one minute. Immutable.
 *
 * <p>Worth retrying: no response at all, a dropped or stalled connection, HTTP 408, 429 and 5xx.
 * Not worth it: refusals (401, 403, 404 and other 4xx), bytes that are not the content asked for,
 * TLS that cannot work as configured, an interrupted pull, and a configuration that forbids the
 * request or cannot be read.
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff) {
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  private static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(60);

  /** Five attempts, the first retry after one second. */
  public static final RetryPolicy DEFAULT = new RetryPolicy(5, Duration.ofSeconds(1));

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts < 1: " + maxAttempts);
    }
    if (initialBackoff.isNegative()) {
      throw new IllegalArgumentException("initialBackoff < 0: " + initialBackoff);
    }
  }

  /** Whether another attempt could succeed where this one failed. */
  public boolean isRetryable(IOException e) {
    if (e instanceof InterruptedIOException
        || e instanceof DigestMismatchException
        || e instanceof UnreachableRegistryException
        || e instanceof TlsException
        || e instanceof RouteException
        || e instanceof HostsConfigException) {
      return false;
    }
    if (e instanceof RegistryException r) {
      int status = r.status();
      return status == 0 || status == 408 || status == 429 || status >= 500;
    }
    return !(e instanceof java.nio.file.FileSystemException);
  }

  /** How long to wait before attempt {@code attempt + 1}, after attempt {@code attempt} failed. */
  public Duration delay(int attempt, IOException cause) {
    if (cause instanceof RegistryException r && r.retryAfter().isPresent()) {
      Duration asked = r.retryAfter().get();
      return asked.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : asked;
    }
    long base = initialBackoff.toMillis() << Math.min(attempt - 1, 20);
    long capped = Math.min(base, MAX_BACKOFF.toMillis());
    double jitter = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
    return Duration.ofMillis((long) (capped * jitter));
  }
}
