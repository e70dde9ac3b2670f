package dev.hoist.registry;

import java.util.List;

/**
 * The registry refused our credentials, or wants some and we have none (HTTP 401 or 403). Not
 * worth retrying without other credentials.
 */
public final class UnauthorizedException extends RegistryException {
  public UnauthorizedException(String message, String registry, int status, List<RegistryError> errors) {
    super(message, registry, status, errors);
  }
}
