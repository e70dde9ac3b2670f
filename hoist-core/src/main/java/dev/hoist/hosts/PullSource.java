package dev.hoist.hosts;

import java.util.Objects;

/**
 * An endpoint and the name of the repository there: the same as the image's unless a {@code
 * registries.conf} {@code location} maps the image's namespace onto another one.
 */
public record PullSource(Endpoint endpoint, String repository) {
  public PullSource {
    Objects.requireNonNull(endpoint, "endpoint == null");
    Objects.requireNonNull(repository, "repository == null");
  }

  @Override
  public String toString() {
    return repository + " at " + endpoint;
  }
}
