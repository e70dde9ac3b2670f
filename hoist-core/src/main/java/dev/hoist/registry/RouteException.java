package dev.hoist.registry;

import java.util.List;

/**
 * The configuration forbids the request or leaves nothing to send it to: the image is {@code
 * blocked} in {@code registries.conf}, or no configured endpoint of the registry has the capability
 * the request needs. Retrying does not help.
 */
public final class RouteException extends RegistryException {
  public RouteException(String message, String registry) {
    super(message, registry, 0, List.of());
  }
}
