package dev.hoist.registry;

import java.io.IOException;
import java.util.List;

/**
 * A registry refused a request, or could not be reached. The message is one sentence for a person
 * (docker's words where docker has them); the status and the registry's own error codes are
 * there for programs.
 */
public class RegistryException extends IOException {
  private final String registry;
  private final int status;
  private final List<RegistryError> errors;
  private final java.time.Duration retryAfter;

  public RegistryException(String message, String registry, int status, List<RegistryError> errors) {
    this(message, registry, status, errors, null);
  }

  /** An error response that said when to try again ({@code Retry-After}). */
  public RegistryException(
      String message, String registry, int status, List<RegistryError> errors,
      java.time.Duration retryAfter) {
    super(message);
    this.registry = registry;
    this.status = status;
    this.errors = List.copyOf(errors);
    this.retryAfter = retryAfter;
  }

  public RegistryException(String message, String registry, Throwable cause) {
    super(message, cause);
    this.registry = registry;
    this.status = 0;
    this.errors = List.of();
    this.retryAfter = null;
  }

  /** How long the registry asked us to wait before trying again, if it said. */
  public java.util.Optional<java.time.Duration> retryAfter() {
    return java.util.Optional.ofNullable(retryAfter);
  }

  /** The registry's name as in the image reference, such as {@code docker.io}. */
  public String registry() {
    return registry;
  }

  /** The HTTP status, or 0 when no response arrived. */
  public int status() {
    return status;
  }

  /** The errors from the response body, first one first; empty when the body had none. */
  public List<RegistryError> errors() {
    return errors;
  }

  /** Whether the registry sent the given error code. */
  public boolean hasCode(String code) {
    return errors.stream().anyMatch(e -> e.code().equals(code));
  }
}
