package dev.hoist.registry;

/**
 * One entry of a registry's error body, {@code {"errors":[{"code":…,"message":…}]}}, as the
 * distribution spec defines it.
 *
 * @param code the spec's error code, such as {@code MANIFEST_UNKNOWN} or {@code DENIED}
 * @param detail the {@code detail} field as JSON text; empty when absent
 */
public record RegistryError(String code, String message, String detail) {

  /** The error as docker prints it: {@code manifest unknown: manifest unknown}. */
  @Override
  public String toString() {
    String words = code.toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    return message.isEmpty() ? words : words + ": " + message;
  }
}
