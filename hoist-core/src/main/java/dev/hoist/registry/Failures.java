package dev.hoist.registry;

import dev.hoist.hosts.Capability;
import dev.hoist.hosts.Endpoint;
import dev.hoist.hosts.Route;
import dev.hoist.reference.ImageReference;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * Turns a registry's error response into a {@link RegistryException} worded as docker words it
 * ({@code manifest for X not found: manifest unknown: …}, {@code pull access denied for X, …},
 * {@code toomanyrequests: …}), keeping the status, the error codes and any {@code Retry-After}.
 */
final class Failures {
  private Failures() {}

  static RegistryException of(
      AuthSession session, ImageReference image, String kind, String reference,
      HttpResponse<InputStream> response) throws IOException {
    List<RegistryError> errors = ErrorBodies.read(response.body());
    String registry = session.endpoint().name();
    int status = response.statusCode();
    String first = errors.isEmpty() ? "" : errors.get(0).toString();
    switch (status) {
      case 404 -> {
        if (errors.stream().anyMatch(e -> e.code().equals("NAME_UNKNOWN"))) {
          return new NotFoundException(
              "repository " + image.familiarName() + " not found: " + first, registry, errors);
        }
        String what = kind.equals("manifest")
            ? "manifest for " + image.familiarString()
            : "blob " + reference + " of " + image.familiarName();
        return new NotFoundException(
            what + " not found: " + (first.isEmpty() ? kind + " unknown" : first), registry, errors);
      }
      case 401, 403 -> {
        StringBuilder message = new StringBuilder("pull access denied for ")
            .append(image.familiarName())
            .append(", repository does not exist or may require 'docker login': ")
            .append(first.isEmpty() ? (status == 401 ? "unauthorized" : "denied") : first);
        if (session.hasCredential()) {
          message.append(" (the credentials for ").append(registry).append(" were not accepted)");
        }
        session.credentialError().ifPresent(e -> message.append(" (credentials lookup failed: ").append(e).append(')'));
        return new UnauthorizedException(message.toString(), registry, status, errors);
      }
      case 429 -> {
        return new RegistryException(
            first.isEmpty() ? "toomanyrequests: too many requests to registry " + registry : first,
            registry, status, errors, retryAfter(response));
      }
      default -> {
        return new RegistryException(
            "registry " + registry + " answered HTTP " + status + " for " + kind + " " + reference
                + " of " + image.familiarName() + (first.isEmpty() ? "" : ": " + first),
            registry, status, errors, retryAfter(response));
      }
    }
  }

  /**
   * The failure of the last endpoint of a route when that endpoint is a mirror, of the same kind
   * (so retrying decides as before) but saying which mirror failed and why nothing follows it.
   */
  static IOException lastMirror(IOException e, Route route, Endpoint mirror, Capability need) {
    if (e instanceof RouteException) {
      return e;
    }
    String reason = route.fallback()
        ? "no other endpoint may " + (need == Capability.RESOLVE ? "resolve tags" : "pull")
        : "not falling back to the upstream (mirror fallback is off)";
    String message = "mirror " + MirrorFallback.label(mirror) + " of " + route.registry()
        + " failed: " + e.getMessage() + "; " + reason;
    IOException wrapped;
    if (e instanceof UnreachableRegistryException u) {
      wrapped = new UnreachableRegistryException(message, u.registry(), e);
    } else if (e instanceof NotFoundException n) {
      wrapped = new NotFoundException(message, n.registry(), n.errors());
    } else if (e instanceof UnauthorizedException u) {
      wrapped = new UnauthorizedException(message, u.registry(), u.status(), u.errors());
    } else if (e instanceof RegistryException r && r.status() == 0) {
      wrapped = new RegistryException(message, r.registry(), e);
    } else if (e instanceof RegistryException r) {
      wrapped = new RegistryException(
          message, r.registry(), r.status(), r.errors(), r.retryAfter().orElse(null));
    } else {
      return new IOException(message, e);
    }
    if (wrapped.getCause() == null) {
      wrapped.initCause(e);
    }
    return wrapped;
  }

  static RegistryException tooLarge(ImageReference image, long size) {
    return new RegistryException(
        "rejecting " + size + " byte manifest for " + image.familiarString() + ": larger than the "
            + RegistryClient.MAX_MANIFEST_BYTES + " byte limit",
        image.domain(), 200, List.of());
  }

  /** A {@code Retry-After} header in seconds or as an HTTP date; null when absent or unreadable. */
  static Duration retryAfter(HttpResponse<?> response) {
    String value = response.headers().firstValue("Retry-After").orElse("").trim();
    if (value.isEmpty()) {
      return null;
    }
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(value)));
    } catch (NumberFormatException e) {
      try {
        java.time.ZonedDateTime when = java.time.ZonedDateTime.parse(
            value, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration d = Duration.between(java.time.Instant.now(), when.toInstant());
        return d.isNegative() ? Duration.ZERO : d;
      } catch (java.time.format.DateTimeParseException ignored) {
        return null;
      }
    }
  }

}
