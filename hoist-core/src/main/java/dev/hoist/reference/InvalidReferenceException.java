package dev.hoist.reference;

/**
 * Thrown when text is not a valid image reference. The message uses docker's words, such as {@code
 * invalid reference format}, so the CLI can print it unchanged.
 */
public final class InvalidReferenceException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  InvalidReferenceException(String message) {
    super(message);
  }

  InvalidReferenceException(String message, Throwable cause) {
    super(message, cause);
  }
}
