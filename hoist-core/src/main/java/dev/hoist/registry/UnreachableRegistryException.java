package dev.hoist.registry;

/**
 * No connection to the registry could be opened: the host name does not resolve, or nothing
 * listens on the port. Retrying at once would not help, so it is not retried.
 */
public final class UnreachableRegistryException extends RegistryException {
  public UnreachableRegistryException(String message, String registry, Throwable cause) {
    super(message, registry, cause);
  }
}
