package dev.hoist.hosts;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where one image's content may come from, in the order to try: mirrors first, then the upstream.
 * Immutable.
 *
 * @param registry the registry of the image reference ({@code docker.io}, {@code host:port})
 * @param sources every endpoint that may serve this image, in order, with the repository's name
 *     there; mirrors whose {@code pull-from-mirror} excludes this kind of pull are already left out
 * @param fallback whether the upstream is tried after the mirrors failed
 * @param blockedBy the configuration that forbids pulling this image ({@code blocked = true}), if
 *     any
 */
public record Route(
    String registry, List<PullSource> sources, boolean fallback, Optional<String> blockedBy) {
  public Route {
    Objects.requireNonNull(registry, "registry == null");
    sources = List.copyOf(sources);
    Objects.requireNonNull(blockedBy, "blockedBy == null");
  }

  /**
   * The sources to try, in order, for an operation that needs {@code capability}: those that have
   * it, without the upstream when falling back is off and a mirror can do it.
   */
  public List<PullSource> candidates(Capability capability) {
    List<PullSource> able = sources.stream().filter(s -> s.endpoint().can(capability)).toList();
    if (!fallback && able.stream().anyMatch(s -> s.endpoint().mirror())) {
      return able.stream().filter(s -> s.endpoint().mirror()).toList();
    }
    return able;
  }

  /**
   * The {@code ns} query parameter for requests to {@code endpoint}, as containerd sends it to
   * every host other than the registry's own, so that one pull-through cache can serve several
   * upstream registries: the registry's name.
   */
  public Optional<String> namespace(Endpoint endpoint) {
    return endpoint.isHostOf(registry) ? Optional.empty() : Optional.of(registry);
  }
}
