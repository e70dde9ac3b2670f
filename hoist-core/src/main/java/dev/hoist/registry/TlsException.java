package dev.hoist.registry;

/**
 * TLS with a registry cannot work as configured: its certificate is not trusted, has expired or
 * names another host; it refused hoist's client certificate or wants one; it does not speak TLS;
 * or the files in its {@code certs.d} directory are wrong. The message says which, in docker's
 * words, and what to do. Trying again would not help, so it is not retried.
 */
public final class TlsException extends RegistryException {
  public TlsException(String message, String registry, Throwable cause) {
    super(message, registry, cause);
  }
}
