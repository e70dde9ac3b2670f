package dev.hoist.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hoist.hosts.Capability;
import dev.hoist.hosts.Endpoint;
import dev.hoist.hosts.PullFromMirror;
import dev.hoist.hosts.PullSource;
import dev.hoist.hosts.RegistryHosts;
import dev.hoist.hosts.Route;
import dev.hoist.reference.ImageReference;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MirrorFallbackTest {
  private static final Endpoint MIRROR = new Endpoint(URI.create("http://10.0.0.2:5000/v2"), true,
      Set.of(Capability.PULL), false, false, List.of(), List.of(), Map.of(), PullFromMirror.ALL, "hosts.toml");

  private static Endpoint upstream() throws IOException {
    return RegistryHosts.none().endpoints("docker.io").get(0);
  }

  @Test
  void theMessageNamesBothEndpointsWithoutTheirV2() throws IOException {
    MirrorFallback fallback = new MirrorFallback("docker.io", MIRROR, upstream(),
        new UnreachableRegistryException("cannot reach registry 10.0.0.2:5000: connection refused", "10.0.0.2:5000", null));

    assertThat(fallback.message()).isEqualTo("mirror http://10.0.0.2:5000 of docker.io failed: cannot reach"
        + " registry 10.0.0.2:5000: connection refused; falling back to https://registry-1.docker.io");
  }

  @Test
  void theLastMirrorsFailureKeepsItsKindAndSaysWhyNothingFollows() throws IOException {
    Route off = new Route("docker.io", List.of(new PullSource(MIRROR, "library/busybox")), false, Optional.empty());
    Route on = new Route("docker.io", List.of(new PullSource(MIRROR, "library/busybox")), true, Optional.empty());

    IOException unreachable = Failures.lastMirror(
        new UnreachableRegistryException("cannot reach registry 10.0.0.2:5000: connection refused", "10.0.0.2:5000", null),
        off, MIRROR, Capability.PULL);
    IOException unavailable = Failures.lastMirror(
        new RegistryException("registry 10.0.0.2:5000 answered HTTP 503", "10.0.0.2:5000", 503, List.of()),
        on, MIRROR, Capability.RESOLVE);

    assertThat(unreachable).isInstanceOf(UnreachableRegistryException.class)
        .hasMessage("mirror http://10.0.0.2:5000 of docker.io failed: cannot reach registry 10.0.0.2:5000:"
            + " connection refused; not falling back to the upstream (mirror fallback is off)");
    assertThat(RetryPolicy.DEFAULT.isRetryable(unreachable)).isFalse();
    assertThat(unavailable).isInstanceOf(RegistryException.class)
        .hasMessageEndingWith("answered HTTP 503; no other endpoint may resolve tags");
    assertThat(((RegistryException) unavailable).status()).isEqualTo(503);
    assertThat(RetryPolicy.DEFAULT.isRetryable(unavailable)).isTrue();
  }

  @Test
  void theNamespaceParameterIsAddedOnce() throws IOException {
    Target target = new Target(null, ImageReference.parse("busybox"), "library/busybox", Optional.of("docker.io"), false);
    Target own = new Target(null, ImageReference.parse("busybox"), "library/busybox", Optional.empty(), true);

    assertThat(target.withNamespace(URI.create("http://m/v2/library/busybox/tags/list?n=10")))
        .hasToString("http://m/v2/library/busybox/tags/list?n=10&ns=docker.io");
    assertThat(target.withNamespace(URI.create("http://m/v2/x/blobs/sha256:1")))
        .hasToString("http://m/v2/x/blobs/sha256:1?ns=docker.io");
    assertThat(target.withNamespace(URI.create("http://m/v2/x/tags/list?last=a&ns=docker.io")))
        .hasToString("http://m/v2/x/tags/list?last=a&ns=docker.io");
    assertThat(own.withNamespace(URI.create("http://r/v2/x/blobs/sha256:1"))).hasToString("http://r/v2/x/blobs/sha256:1");
    assertThat(new Target(null, null, "x", Optional.of("127.0.0.1:5000"), false)
        .withNamespace(URI.create("http://m/v2/x/manifests/v1"))).hasToString("http://m/v2/x/manifests/v1?ns=127.0.0.1%3A5000");
  }
}
