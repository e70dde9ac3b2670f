package dev.hoist.registry;

import java.util.List;

/** The registry has no such repository, manifest or blob (HTTP 404). */
public final class NotFoundException extends RegistryException {
  public NotFoundException(String message, String registry, List<RegistryError> errors) {
    super(message, registry, 404, errors);
  }
}
