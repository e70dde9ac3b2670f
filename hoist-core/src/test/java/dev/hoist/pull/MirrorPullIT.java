package dev.hoist.pull;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hoist.Hoist;
import dev.hoist.auth.Credential;
import dev.hoist.auth.CredentialProvider;
import dev.hoist.registry.RouteException;
import dev.hoist.registry.UnreachableRegistryException;
import dev.hoist.testing.LocalRegistry;
import dev.hoist.testing.OciLayoutImage;
import dev.hoist.testing.RecordedRequest;
import dev.hoist.testing.RecordingProxy;
import dev.hoist.testing.TestImages;
import dev.hoist.testing.TokenIssuer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Pulls through a real pull-through cache: the CNCF distribution registry in proxy mode in front of
 * an upstream registry that wants a password (token auth: distribution 2.8's proxy hands its
 * credentials only to a Bearer realm), configured by {@code hosts.toml} and {@code
 * registries.conf} files written here.
 */
class MirrorPullIT {
  private static final String USER = "alice";
  private static final String PASSWORD = "s3cret";

  @TempDir static Path fixtures;
  static OciLayoutImage image;
  static TokenIssuer issuer;
  static LocalRegistry upstream;
  static String digest;

  @TempDir Path work;
  final List<String> warnings = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startUpstream() throws IOException {
    image = TestImages.multiLayer(fixtures);
    issuer = TokenIssuer.start().user(USER, PASSWORD, "pull");
    upstream = LocalRegistry.withTokenAuth(issuer);
    digest = upstream.push(image, "team/app", "v1");
  }

  @AfterAll
  static void stopUpstream() throws IOException {
    upstream.close();
    issuer.close();
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private static CredentialProvider upstreamCredentials() {
    return CredentialProvider.of(Map.of(upstream.host(), Credential.basic(USER, PASSWORD)));
  }

  private String ref() {
    return upstream.host() + "/team/app:v1";
  }

  /** {@code work/certs.d/127.0.0.1_PORT_/hosts.toml} for the upstream, with these mirror tables. */
  private Path hostsDir(String hostTables) throws IOException {
    Path dir = work.resolve("certs.d");
    Path hostDir = dir.resolve(upstream.host().replace(":", "_") + "_");
    Files.createDirectories(hostDir);
    Files.writeString(hostDir.resolve("hosts.toml"),
        "server = \"" + upstream.baseUri() + "\"\n\n" + hostTables);
    return dir;
  }

  private static String mirror(String host) {
    return "[host.\"http://" + host + "\"]\n  capabilities = [\"pull\", \"resolve\"]\n";
  }

  /** A Hoist that reads only the files given here, not the machine's. */
  private Hoist.Builder hoist(Path store) throws IOException {
    Path noRegistriesConf = Files.writeString(work.resolve("empty-registries.conf"), "");
    return Hoist.builder().store(store).credentials(upstreamCredentials()).registriesConf(noRegistriesConf)
        .hostsDirectory(Files.createDirectories(work.resolve("no-hosts")));
  }

  private PullResult pull(Hoist.Builder builder, String reference) throws IOException {
    try (Hoist hoist = builder.build()) {
      return hoist.pull(PullRequest.of(reference), new PullListener() {
        @Override
        public void warning(String message) {
          warnings.add(message);
        }
      });
    }
  }

  private static List<String> blobGets(LocalRegistry registry) throws IOException {
    return registry.accessLog().stream().filter(l -> l.startsWith("GET ") && l.contains("/blobs/")).toList();
  }

  private static void awaitCached(LocalRegistry mirror) throws Exception {
    List<String> blobs = new ArrayList<>(image.layerDigests());
    blobs.add(image.configDigest());
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!blobs.stream().allMatch(mirror::hasBlob)) {
      assertThat(System.nanoTime()).as("the cache stored every blob within 30 s").isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  private static void assertStoreIsEmpty(Path store) throws IOException {
    assertThat(Files.readString(store.resolve("index.json"))).contains("\"manifests\":[]");
    assertThat(store.resolve("blobs/sha256")).isEmptyDirectory();
  }

  @Test
  void theSecondPullIsServedByTheCacheAlone() throws Exception {
    try (LocalRegistry mirror = LocalRegistry.pullThroughCache(upstream);
        RecordingProxy front = RecordingProxy.to(mirror.baseUri())) {
      Path hosts = hostsDir(mirror(front.host()));

      PullResult first = pull(hoist(work.resolve("store-1")).hostsDirectory(hosts), ref());
      assertThat(first.digest()).hasToString(digest);
      awaitCached(mirror);
      int upstreamBlobGets = blobGets(upstream).size();
      assertThat(upstreamBlobGets).as("the cache fetched the blobs from the upstream").isPositive();

      PullResult second = pull(hoist(work.resolve("store-2")).hostsDirectory(hosts), ref());

      assertThat(second.digest()).hasToString(digest);
      assertThat(second.bytesDownloaded()).isEqualTo(first.bytesDownloaded()).isPositive();
      assertThat(blobGets(upstream)).as("no blob of the second pull came from the upstream")
          .hasSize(upstreamBlobGets);
      assertThat(blobGets(mirror)).as("both pulls fetched every blob from the cache")
          .hasSize(2 * (image.layerCount() + 1));
      assertThat(warnings).isEmpty();
    }
  }

  @Test
  void mirrorsGetTheNamespaceParameterAndNotTheUpstreamsCredentials() throws Exception {
    try (LocalRegistry mirror = LocalRegistry.pullThroughCache(upstream);
        RecordingProxy front = RecordingProxy.to(mirror.baseUri())) {
      int before = upstream.accessLog().size();
      pull(hoist(work.resolve("store")).hostsDirectory(hostsDir(mirror(front.host()))), ref());

      List<RecordedRequest> content = front.requests().stream()
          .filter(r -> r.path().contains("/manifests/") || r.path().contains("/blobs/")).toList();
      assertThat(content).isNotEmpty()
          .allSatisfy(r -> assertThat(r.param("ns")).as(r.toString()).contains(upstream.host()));
      assertThat(front.requests()).as("nothing asked the anonymous mirror for credentials")
          .allSatisfy(r -> assertThat(r.authorization()).isEmpty());
      List<String> upstreamRequests = upstream.accessLog().subList(before, upstream.accessLog().size());
      assertThat(upstreamRequests).as("the cache asked the upstream, which gets no ns parameter")
          .anyMatch(l -> l.contains("/blobs/")).noneMatch(l -> l.matches("\\S+ \\S+[?&]ns=.*"));
      assertThat(warnings).isEmpty();
    }
  }

  @Test
  void aMirrorThatWantsCredentialsGetsOnlyThoseOfItsOwnHost() throws Exception {
    try (LocalRegistry mirror = LocalRegistry.pullThroughCache(upstream, "bob", "hunter2");
        RecordingProxy front = RecordingProxy.to(mirror.baseUri())) {
      Path hosts = hostsDir(mirror(front.host()));

      // Only the upstream's credentials: the mirror refuses, the pull falls back, visibly.
      pull(hoist(work.resolve("store-1")).hostsDirectory(hosts), ref());

      assertThat(front.requests()).isNotEmpty()
          .allSatisfy(r -> assertThat(r.authorization()).as(r.toString()).isEmpty());
      assertThat(warnings).singleElement().asString()
          .startsWith("mirror http://" + front.host() + " of " + upstream.host() + " failed: pull access denied")
          .endsWith("; falling back to " + upstream.baseUri());
      int refused = front.requests().size();

      // With credentials for the mirror's own host too, the mirror serves the pull with those.
      warnings.clear();
      CredentialProvider both = CredentialProvider.of(Map.of(
          upstream.host(), Credential.basic(USER, PASSWORD), front.host(), Credential.basic("bob", "hunter2")));
      pull(hoist(work.resolve("store-2")).hostsDirectory(hosts).credentials(both), ref());

      List<RecordedRequest> later = front.requests().subList(refused, front.requests().size());
      assertThat(later).anyMatch(r -> r.path().contains("/blobs/"))
          .anySatisfy(r -> assertThat(r.authorization()).contains(basic("bob", "hunter2")));
      assertThat(front.requests()).as("never the upstream's password, never its tokens")
          .allSatisfy(r -> assertThat(r.authorization().orElse("none")).isIn("none", basic("bob", "hunter2")));
      assertThat(warnings).isEmpty();
    }
  }

  @Test
  void aStoppedMirrorFallsBackToTheUpstreamWithOneWarning() throws Exception {
    try (LocalRegistry mirror = LocalRegistry.pullThroughCache(upstream)) {
      mirror.stop();

      PullResult result = pull(hoist(work.resolve("store")).hostsDirectory(hostsDir(mirror(mirror.host()))), ref());

      assertThat(result.digest()).hasToString(digest);
      assertThat(warnings).as("reported once, not for every blob").singleElement().asString()
          .startsWith("mirror http://" + mirror.host() + " of " + upstream.host()
              + " failed: cannot reach registry " + mirror.host() + ": connection refused")
          .endsWith("; falling back to " + upstream.baseUri());
    }
  }

  @Test
  void withFallbackOffAStoppedMirrorFailsThePullNamingTheMirror() throws Exception {
    try (LocalRegistry mirror = LocalRegistry.pullThroughCache(upstream)) {
      mirror.stop();
      Path store = work.resolve("store");
      int upstreamRequests = upstream.accessLog().size();

      assertThatThrownBy(() -> pull(hoist(store).hostsDirectory(hostsDir(mirror(mirror.host())))
              .mirrorFallback(false), ref()))
          .isInstanceOf(UnreachableRegistryException.class)
          .hasMessageStartingWith("mirror http://" + mirror.host() + " of " + upstream.host()
              + " failed: cannot reach registry " + mirror.host() + ": connection refused")
          .hasMessageEndingWith("; not falling back to the upstream (mirror fallback is off)");
      assertThat(upstream.accessLog()).hasSize(upstreamRequests);
      assertStoreIsEmpty(store);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {404, 503})
  void aMirrorAnsweringAnErrorFallsBackAtOnce(int status) throws Exception {
    try (RecordingProxy broken = RecordingProxy.to(upstream.baseUri())) {
      broken.failWith(status);

      long start = System.nanoTime();
      PullResult result = pull(hoist(work.resolve("store")).hostsDirectory(hostsDir(mirror(broken.host()))), ref());

      assertThat(result.digest()).hasToString(digest);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as("no retry back-off on the mirror")
          .isLessThan(Duration.ofSeconds(5));
      assertThat(warnings).singleElement().asString()
          .startsWith("mirror http://" + broken.host() + " of " + upstream.host() + " failed: ")
          .contains(status == 404 ? "not found" : "HTTP 503");
    }
  }

  @Test
  void pullOnlyMirrorsServeBlobsAndTheUpstreamResolvesTags() throws Exception {
    try (LocalRegistry mirror = LocalRegistry.pullThroughCache(upstream);
        RecordingProxy front = RecordingProxy.to(mirror.baseUri())) {
      Path hosts = hostsDir("[host.\"http://" + front.host() + "\"]\n  capabilities = [\"pull\"]\n");

      pull(hoist(work.resolve("store")).hostsDirectory(hosts), ref());

      assertThat(front.requests()).as("the tag went to the upstream, the digests to the mirror")
          .noneMatch(r -> r.path().endsWith("/manifests/v1"))
          .anyMatch(r -> r.path().contains("/blobs/"));
      assertThat(upstream.accessLog()).anyMatch(l -> l.startsWith("HEAD /v2/team/app/manifests/v1 "));
      assertThat(warnings).isEmpty();
    }
  }

  @Test
  void registriesConfMirrorsRewritesAndPullFromMirror() throws Exception {
    try (LocalRegistry mirror = LocalRegistry.pullThroughCache(upstream);
        RecordingProxy front = RecordingProxy.to(mirror.baseUri())) {
      Path conf = Files.writeString(work.resolve("registries.conf"),
          "[[registry]]\nprefix = \"example.invalid/apps\"\nlocation = \"" + upstream.host() + "/team\"\n"
              + "[[registry.mirror]]\nlocation = \"" + front.host() + "/team\"\n"
              + "pull-from-mirror = \"digest-only\"\n");

      // By tag: a digest-only mirror is not used.
      PullResult byTag = pull(hoist(work.resolve("store-1")).registriesConf(conf), "example.invalid/apps/app:v1");
      assertThat(byTag.reference()).hasToString("example.invalid/apps/app:v1");
      assertThat(byTag.digest()).hasToString(digest);
      assertThat(front.requests()).isEmpty();

      // By digest: the mirror serves it, told which registry the image is from.
      PullResult byDigest = pull(hoist(work.resolve("store-2")).registriesConf(conf), "example.invalid/apps/app@" + digest);
      assertThat(byDigest.digest()).hasToString(digest);
      assertThat(front.requests()).anyMatch(r -> r.path().equals("/v2/team/app/manifests/" + digest))
          .filteredOn(r -> !r.path().equals("/v2/"))
          .allSatisfy(r -> assertThat(r.param("ns")).contains("example.invalid"));
      assertThat(warnings).isEmpty();
    }
  }

  @Test
  void aBlockedImageIsRefusedBeforeAnyRequest() throws Exception {
    Path conf = Files.writeString(work.resolve("registries.conf"),
        "[[registry]]\nlocation = \"" + upstream.host() + "/team\"\nblocked = true\n");
    int before = upstream.accessLog().size();

    assertThatThrownBy(() -> pull(hoist(work.resolve("store")).registriesConf(conf), ref()))
        .isInstanceOf(RouteException.class)
        .hasMessage("pulling " + upstream.host() + "/team/app is blocked by " + conf);
    assertThat(upstream.accessLog()).hasSize(before);
  }
}
