package dev.hoist.registry;

import dev.hoist.hosts.Endpoint;
import java.io.IOException;
import java.util.Objects;

/**
 * A request that an endpoint (a mirror) failed, about to be tried on the next endpoint of the
 * route: never silent, the CLI prints {@link #message()} as a warning.
 *
 * @param registry the image's registry, as in the reference
 * @param failed the endpoint that failed
 * @param next the endpoint tried next: another mirror, or the upstream
 * @param cause why {@code failed} failed
 */
public record MirrorFallback(String registry, Endpoint failed, Endpoint next, IOException cause) {
  public MirrorFallback {
    Objects.requireNonNull(registry, "registry == null");
    Objects.requireNonNull(failed, "failed == null");
    Objects.requireNonNull(next, "next == null");
    Objects.requireNonNull(cause, "cause == null");
  }

  /**
   * {@code mirror http://10.0.0.2:5000 of docker.io failed: …; falling back to
   * https://registry-1.docker.io}.
   */
  public String message() {
    return (failed.mirror() ? "mirror " : "") + label(failed) + " of " + registry + " failed: "
        + cause.getMessage() + "; falling back to " + (next.mirror() ? "mirror " : "") + label(next);
  }

  /** An endpoint's root as people write it: without the {@code /v2} every root ends with. */
  static String label(Endpoint endpoint) {
    String root = endpoint.root().toString();
    return root.endsWith("/v2") ? root.substring(0, root.length() - 3) : root;
  }
}
