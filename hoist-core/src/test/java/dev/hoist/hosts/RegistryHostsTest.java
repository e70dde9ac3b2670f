package dev.hoist.hosts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hoist.reference.ImageReference;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Routes: which endpoints, in which order, from which source, for an image. */
class RegistryHostsTest {
  private static final String DIGEST =
      "sha256:0123456789012345678901234567890123456789012345678901234567890123";

  @TempDir Path dir;

  private Path write(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    return file;
  }

  private RegistryHosts.Builder builder() {
    return RegistryHosts.builder();
  }

  private static RegistryHosts build(RegistryHosts.Builder b) throws IOException {
    return b.build(Map.of(), Path.of("/nonexistent-home"), Path.of("/nonexistent.conf"), Path.of("/nonexistent.d"));
  }

  private static List<String> roots(Route route) {
    return route.sources().stream().map(s -> s.endpoint().root() + " " + s.repository()).toList();
  }

  private static Route route(RegistryHosts hosts, String reference) throws IOException {
    return hosts.route(ImageReference.parse(reference));
  }

  @Test
  void withNothingConfiguredEachRegistryServesItself() throws IOException {
    RegistryHosts hosts = RegistryHosts.none();

    assertThat(roots(route(hosts, "busybox"))).containsExactly("https://registry-1.docker.io/v2 library/busybox");
    assertThat(roots(route(hosts, "ghcr.io/o/app:1"))).containsExactly("https://ghcr.io/v2 o/app");
    assertThat(roots(route(hosts, "127.0.0.1:5000/app"))).containsExactly("http://127.0.0.1:5000/v2 app");
    Endpoint upstream = route(hosts, "ghcr.io/o/app").sources().get(0).endpoint();
    assertThat(upstream.mirror()).isFalse();
    assertThat(upstream.source()).isEqualTo("default");
    assertThat(route(hosts, "busybox").fallback()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost", "localhost:5000", "127.0.0.1:5000", "127.1.2.3", "[::1]:5000"})
  void loopbackRegistriesAreInsecureAsInDocker(String registry) throws IOException {
    assertThat(RegistryHosts.none().endpoints(registry).get(0).insecure()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"ghcr.io", "10.0.0.1:5000", "localhost.example.com", "[2001:db8::1]:5000"})
  void otherRegistriesAreSecureUnlessNamed(String registry) throws IOException {
    assertThat(RegistryHosts.none().endpoints(registry).get(0).insecure()).isFalse();
    RegistryHosts named = build(builder().insecureRegistries(List.of(registry)));
    assertThat(named.endpoints(registry).get(0).insecure()).isTrue();
  }

  @Test
  void dockerHubNamedInsecureMakesItsHostInsecure() throws IOException {
    RegistryHosts hosts = build(builder().insecureRegistries(List.of("docker.io")));

    assertThat(hosts.endpoints("docker.io").get(0).insecure()).isTrue();
  }

  @Test
  void registryMirrorsServeDockerHubOnlyInOrder() throws IOException {
    RegistryHosts hosts = build(builder().registryMirrors(List.of(
        URI.create("https://mirror.gcr.io"), URI.create("http://10.0.0.2:5000/hub/"))));

    Route hub = route(hosts, "busybox:1.36");
    assertThat(roots(hub)).containsExactly(
        "https://mirror.gcr.io/v2 library/busybox",
        "http://10.0.0.2:5000/hub/v2 library/busybox",
        "https://registry-1.docker.io/v2 library/busybox");
    assertThat(hub.sources()).extracting(s -> s.endpoint().source())
        .containsExactly("registry-mirrors", "registry-mirrors", "default");
    assertThat(hub.sources().get(0).endpoint().capabilities())
        .containsExactly(Capability.PULL, Capability.RESOLVE);
    assertThat(roots(route(hosts, "quay.io/app"))).containsExactly("https://quay.io/v2 app");
  }

  @Test
  void registryMirrorsMustBeHttpUrls() {
    assertThatThrownBy(() -> builder().registryMirrors(List.of(URI.create("mirror.gcr.io"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("mirror.gcr.io");
    assertThatThrownBy(() -> builder().registryMirrors(List.of(URI.create("https://m.example/?x=1"))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theNamespaceParameterGoesToEveryHostButTheRegistrysOwn() throws IOException {
    Route hub = route(build(builder().registryMirrors(List.of(URI.create("https://mirror.gcr.io")))), "busybox");
    Route local = route(RegistryHosts.none(), "127.0.0.1:5000/app");

    assertThat(hub.namespace(hub.sources().get(0).endpoint())).contains("docker.io");
    assertThat(hub.namespace(hub.sources().get(1).endpoint())).as("registry-1.docker.io is docker.io").isEmpty();
    assertThat(local.namespace(local.sources().get(0).endpoint())).isEmpty();
  }

  @Test
  void hostsDirectoryPrefersHostPortUnderscoreThenHostPortThenDefault() throws IOException {
    write("certs.d/reg.example_5000_/hosts.toml", "[host.\"https://underscore.mirror\"]\n");
    write("certs.d/reg.example:5000/hosts.toml", "[host.\"https://colon.mirror\"]\n");
    write("certs.d/other.example:5000/hosts.toml", "[host.\"https://colon-only.mirror\"]\n");
    write("certs.d/_default/hosts.toml", "[host.\"https://default.mirror\"]\n");
    RegistryHosts hosts = build(builder().hostsDirectory(dir.resolve("certs.d")));

    assertThat(roots(route(hosts, "reg.example:5000/app"))).containsExactly(
        "https://underscore.mirror/v2 app", "https://reg.example:5000/v2 app");
    assertThat(roots(route(hosts, "other.example:5000/app"))).first().isEqualTo("https://colon-only.mirror/v2 app");
    assertThat(roots(route(hosts, "quay.io/app"))).containsExactly(
        "https://default.mirror/v2 app", "https://quay.io/v2 app");
  }

  @Test
  void aHostDirectoryWithoutHostsTomlGivesDockersCertificateFiles() throws IOException {
    write("certs.d/quay.io/ca.crt", "x");
    write("certs.d/quay.io/client.cert", "x");
    write("certs.d/quay.io/client.key", "x");
    write("certs.d/quay.io/other.cert", "x");
    RegistryHosts hosts = build(builder().hostsDirectory(dir.resolve("certs.d")));

    Endpoint quay = hosts.endpoints("quay.io").get(0);
    assertThat(quay.root()).hasToString("https://quay.io/v2");
    assertThat(quay.caCertificates()).containsExactly(dir.resolve("certs.d/quay.io/ca.crt"));
    assertThat(quay.clientCertificates()).containsExactly(
        new ClientCertificate(dir.resolve("certs.d/quay.io/client.cert"), Optional.of(dir.resolve("certs.d/quay.io/client.key"))),
        new ClientCertificate(dir.resolve("certs.d/quay.io/other.cert"), Optional.empty()));
  }

  @Test
  void aChosenHostsDirectoryMustExist() {
    assertThatThrownBy(() -> build(builder().hostsDirectory(dir.resolve("missing"))))
        .isInstanceOf(HostsConfigException.class)
        .hasMessage(dir.resolve("missing") + ": not a directory");
  }

  @Test
  void aChosenRegistriesConfMustExistAndIsReadWhenARouteNeedsIt() throws IOException {
    assertThatThrownBy(() -> build(builder().registriesConf(dir.resolve("missing.conf"))))
        .isInstanceOf(HostsConfigException.class)
        .hasMessage(dir.resolve("missing.conf") + ": no such file");

    Path broken = write("registries.conf", "[[registry]]\nlocation = 5\n");
    RegistryHosts hosts = build(builder().registriesConf(broken));
    assertThatThrownBy(() -> route(hosts, "quay.io/app"))
        .isInstanceOf(HostsConfigException.class)
        .hasMessage(broken + ": registry[0].location: expected a string, got 5");
  }

  @Test
  void anInvalidHostsTomlFailsOnlyItsRegistry() throws IOException {
    write("certs.d/quay.io/hosts.toml", "server = 5\n");
    RegistryHosts hosts = build(builder().hostsDirectory(dir.resolve("certs.d")));

    assertThat(roots(route(hosts, "ghcr.io/app"))).containsExactly("https://ghcr.io/v2 app");
    assertThatThrownBy(() -> route(hosts, "quay.io/app"))
        .isInstanceOf(HostsConfigException.class)
        .hasMessage(dir.resolve("certs.d/quay.io/hosts.toml") + ": server: expected a string, got 5");
  }

  @Test
  void eachReferenceKeepsItsRoute() throws IOException {
    write("certs.d/quay.io/hosts.toml", "server = \"https://quay.example.com\"\n");
    RegistryHosts hosts = build(builder().hostsDirectory(dir.resolve("certs.d")));
    Route route = route(hosts, "quay.io/o/app:1");

    assertThat(route(hosts, "quay.io/o/app:1")).isSameAs(route);
    assertThat(route(hosts, "quay.io/o/app:2")).isNotSameAs(route).isEqualTo(route);
    assertThat(route(hosts, "quay.io/o/other:1")).isNotEqualTo(route);
    assertThat(route(hosts, "quay.io/o/app@" + DIGEST)).isNotSameAs(route);
  }

  @Test
  void aRouteThatFailedIsWorkedOutAgainOnceTheFileIsFixed() throws IOException {
    write("certs.d/quay.io/hosts.toml", "server = 5\n");
    RegistryHosts hosts = build(builder().hostsDirectory(dir.resolve("certs.d")));
    assertThatThrownBy(() -> route(hosts, "quay.io/app")).isInstanceOf(HostsConfigException.class);

    write("certs.d/quay.io/hosts.toml", "server = \"https://quay.example.com\"\n");

    assertThat(roots(route(hosts, "quay.io/app"))).containsExactly("https://quay.example.com/v2 app");
  }

  @Test
  void registriesConfMirrorsAndLocationRewriteTheRepository() throws IOException {
    Path conf = write("registries.conf", """
        [[registry]]
        prefix = "example.com/foo"
        location = "internal.example/bar"
        [[registry.mirror]]
        location = "mirror-0.local/mirror-for-foo"
        [[registry.mirror]]
        location = "mirror-1.local:5000"
        insecure = true
        """);
    RegistryHosts hosts = build(builder().registriesConf(conf));

    Route route = route(hosts, "example.com/foo/image:latest");
    assertThat(roots(route)).containsExactly(
        "https://mirror-0.local/v2 mirror-for-foo/image",
        "https://mirror-1.local:5000/v2 image",
        "https://internal.example/v2 bar/image");
    assertThat(route.sources()).extracting(s -> s.endpoint().mirror()).containsExactly(true, true, false);
    assertThat(route.sources()).extracting(s -> s.endpoint().insecure()).containsExactly(false, true, false);
    assertThat(route.sources()).extracting(s -> s.endpoint().source()).containsOnly(conf.toString());
    assertThat(route.namespace(route.sources().get(2).endpoint())).contains("example.com");
  }

  @Test
  void pullFromMirrorKeepsMirrorsForTheirKindOfPull() throws IOException {
    Path conf = write("registries.conf", """
        [[registry]]
        location = "quay.io"
        [[registry.mirror]]
        location = "digests.local"
        pull-from-mirror = "digest-only"
        [[registry.mirror]]
        location = "tags.local"
        pull-from-mirror = "tag-only"
        [[registry.mirror]]
        location = "all.local"
        """);
    RegistryHosts hosts = build(builder().registriesConf(conf));

    assertThat(roots(route(hosts, "quay.io/app:1"))).containsExactly(
        "https://tags.local/v2 app", "https://all.local/v2 app", "https://quay.io/v2 app");
    assertThat(roots(route(hosts, "quay.io/app@" + DIGEST))).containsExactly(
        "https://digests.local/v2 app", "https://all.local/v2 app", "https://quay.io/v2 app");
    assertThat(roots(route(hosts, "quay.io/app:1@" + DIGEST))).as("a tag with a digest pulls by digest")
        .first().isEqualTo("https://digests.local/v2 app");
    assertThat(hosts.endpoints("quay.io")).extracting(Endpoint::pullFromMirror).containsExactly(
        PullFromMirror.DIGEST_ONLY, PullFromMirror.TAG_ONLY, PullFromMirror.ALL, PullFromMirror.ALL);
  }

  @Test
  void aWildcardPrefixWithoutLocationKeepsTheImageWhereItIs() throws IOException {
    Path conf = write("registries.conf", """
        [[registry]]
        prefix = "*.example.com"
        insecure = true
        [[registry.mirror]]
        location = "mirror.local/examples"
        """);
    RegistryHosts hosts = build(builder().registriesConf(conf));

    Route route = route(hosts, "a.example.com/team/app:1");
    assertThat(roots(route)).containsExactly(
        "https://mirror.local/v2 examples/team/app", "https://a.example.com/v2 team/app");
    assertThat(route.sources().get(1).endpoint().insecure()).isTrue();
  }

  @Test
  void blockedImagesAreBlockedWhicheverSourceGivesTheirEndpoints() throws IOException {
    write("certs.d/docker.io/hosts.toml", "[host.\"https://mirror.local\"]\n");
    Path conf = write("registries.conf", "[[registry]]\nprefix = \"docker.io/library\"\nlocation = \"docker.io/library\"\nblocked = true\n");
    RegistryHosts hosts = build(builder().hostsDirectory(dir.resolve("certs.d")).registriesConf(conf));

    Route busybox = route(hosts, "busybox");
    assertThat(busybox.blockedBy()).contains(conf.toString());
    assertThat(roots(busybox)).first().isEqualTo("https://mirror.local/v2 library/busybox");
    assertThat(route(hosts, "someone/app").blockedBy()).isEmpty();
  }

  @Test
  void theMostSpecificSourceConfiguresAnImage() throws IOException {
    write("certs.d/docker.io/hosts.toml", "[host.\"https://from-hosts-toml.local\"]\n");
    write("certs.d/_default/hosts.toml", "[host.\"https://from-default.local\"]\n");
    Path conf = write("registries.conf", """
        [[registry]]
        location = "docker.io"
        [[registry.mirror]]
        location = "from-registries-conf.local"
        [[registry]]
        location = "quay.io"
        [[registry.mirror]]
        location = "quay-from-registries-conf.local"
        """);
    RegistryHosts.Builder b = builder().hostsDirectory(dir.resolve("certs.d")).registriesConf(conf);

    RegistryHosts files = build(b);
    assertThat(roots(route(files, "busybox"))).first().isEqualTo("https://from-hosts-toml.local/v2 library/busybox");
    assertThat(roots(route(files, "quay.io/app"))).first().isEqualTo("https://quay-from-registries-conf.local/v2 app");
    assertThat(roots(route(files, "ghcr.io/app"))).first().isEqualTo("https://from-default.local/v2 app");

    RegistryHosts withMirrors = build(b.registryMirrors(List.of(URI.create("https://registry-mirrors.local"))));
    assertThat(roots(route(withMirrors, "busybox"))).first().isEqualTo("https://registry-mirrors.local/v2 library/busybox");
  }

  @Test
  void candidatesFollowCapabilitiesAndTheFallbackSetting() throws IOException {
    write("certs.d/quay.io/hosts.toml", """
        [host."https://pull-only.local"]
          capabilities = ["pull"]
        [host."https://private.local"]
          capabilities = ["pull", "resolve"]
        """);
    write("certs.d/ghcr.io/hosts.toml", "[host.\"https://pull-only.local\"]\ncapabilities = [\"pull\"]\n");
    RegistryHosts.Builder b = builder().hostsDirectory(dir.resolve("certs.d"));

    Route on = route(build(b), "quay.io/app");
    assertThat(on.candidates(Capability.PULL)).extracting(s -> s.endpoint().host())
        .containsExactly("pull-only.local", "private.local", "quay.io");
    assertThat(on.candidates(Capability.RESOLVE)).extracting(s -> s.endpoint().host())
        .containsExactly("private.local", "quay.io");

    Route off = route(build(b.fallback(false)), "quay.io/app");
    assertThat(off.fallback()).isFalse();
    assertThat(off.candidates(Capability.PULL)).extracting(s -> s.endpoint().host())
        .containsExactly("pull-only.local", "private.local");
    Route ghcr = route(build(b.fallback(false)), "ghcr.io/app");
    assertThat(ghcr.candidates(Capability.RESOLVE)).as("no mirror may resolve: the upstream must")
        .extracting(s -> s.endpoint().host()).containsExactly("ghcr.io");
  }

  @Test
  void endpointsDescribeThemselves() throws IOException {
    write("certs.d/docker.io/hosts.toml", """
        [host."http://10.0.0.2:5000"]
          capabilities = ["pull"]
          skip_verify = true
        """);
    RegistryHosts hosts = build(builder().hostsDirectory(dir.resolve("certs.d")));

    assertThat(hosts.endpoints("docker.io")).extracting(Endpoint::toString).containsExactly(
        "http://10.0.0.2:5000/v2 (mirror: pull; skip_verify; from " + dir.resolve("certs.d/docker.io/hosts.toml") + ")",
        "https://registry-1.docker.io/v2 (upstream: pull, resolve, push; from " + dir.resolve("certs.d/docker.io/hosts.toml") + ")");
  }
}
