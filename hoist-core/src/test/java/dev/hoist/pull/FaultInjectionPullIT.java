package dev.hoist.pull;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hoist.Hoist;
import dev.hoist.auth.Credential;
import dev.hoist.auth.CredentialProvider;
import dev.hoist.image.Digest;
import dev.hoist.image.DigestMismatchException;
import dev.hoist.image.InvalidManifestException;
import dev.hoist.image.MediaTypes;
import dev.hoist.registry.RegistryException;
import dev.hoist.testing.FaultRegistry;
import dev.hoist.testing.RecordedRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a real registry will not do, from an in-process fake: wrong bytes, hostile sizes,
 * redirects to other hosts, rate limits.
 */
class FaultInjectionPullIT {
  @TempDir Path storeDir;
  FaultRegistry registry;

  @BeforeEach
  void start() throws IOException {
    registry = FaultRegistry.start();
  }

  @AfterEach
  void stop() {
    registry.close();
  }

  private Hoist hoist(CredentialProvider credentials) throws IOException {
    return Hoist.builder().store(storeDir).credentials(credentials).build();
  }

  private Hoist hoist() throws IOException {
    return hoist(CredentialProvider.anonymous());
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Publishes an image whose single layer is {@code layer}; returns the layer's digest. */
  private String publish(String repo, byte[] layer, int diffIdCount) {
    return publish(repo, layer, diffIdCount, MediaTypes.OCI_CONFIG, "");
  }

  private String publish(String repo, byte[] layer, int diffIdCount, String configType, String artifactType) {
    String layerDigest = Digest.sha256(layer).toString();
    String diffIds = String.join(",", java.util.Collections.nCopies(diffIdCount, "\"" + layerDigest + "\""));
    byte[] config = utf8("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + diffIds + "]}}");
    String configDigest = registry.putBlob(repo, config);
    byte[] manifest = utf8("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\","
        + (artifactType.isEmpty() ? "" : "\"artifactType\":\"" + artifactType + "\",")
        + "\"config\":{\"mediaType\":\"" + configType + "\",\"digest\":\"" + configDigest + "\",\"size\":" + config.length + "},"
        + "\"layers\":[{\"mediaType\":\"" + MediaTypes.OCI_LAYER + "\",\"digest\":\"" + layerDigest + "\",\"size\":" + layer.length + "}]}");
    registry.putManifest(repo, "v1", MediaTypes.OCI_MANIFEST, manifest);
    return layerDigest;
  }

  private void assertNothingTaggedAndNoStrayFiles() throws IOException {
    assertThat(Files.readString(storeDir.resolve("index.json"))).contains("\"manifests\":[]");
    try (Stream<Path> ingest = Files.list(storeDir.resolve(".hoist/ingest"))) {
      assertThat(ingest).isEmpty();
    }
  }

  @Test
  void aLayerWhoseBytesDoNotMatchItsDigestFailsAndLeavesNoBlobAndNoTag() throws IOException {
    byte[] real = utf8("the layer the manifest promises");
    String layerDigest = publish("team/app", real, 1);
    registry.putBlobServing("team/app", layerDigest, utf8("other bytes of the same length!"));

    try (Hoist hoist = hoist()) {
      assertThatThrownBy(() -> hoist.pull(registry.host() + "/team/app:v1"))
          .isInstanceOf(DigestMismatchException.class)
          .hasMessageStartingWith("filesystem layer verification failed for digest " + layerDigest);
    }
    assertThat(storeDir.resolve("blobs/sha256/" + layerDigest.substring(7))).doesNotExist();
    assertNothingTaggedAndNoStrayFiles();
  }

  @Test
  void aLayerLongerThanItsDescriptorIsCutOff() throws IOException {
    byte[] real = utf8("short");
    String layerDigest = publish("team/app", real, 1);
    registry.putBlobServing("team/app", layerDigest, new byte[10 * 1024 * 1024]);

    try (Hoist hoist = hoist()) {
      assertThatThrownBy(() -> hoist.pull(registry.host() + "/team/app:v1"))
          .isInstanceOf(DigestMismatchException.class)
          .hasMessageContaining("larger than its descriptor's size of 5 bytes");
    }
    assertThat(Files.readString(storeDir.resolve("index.json"))).contains("\"manifests\":[]");
  }

  @Test
  void aManifestThatIsNotTheDigestAskedForIsRefused() throws IOException {
    publish("team/app", utf8("layer"), 1);
    String wanted = "sha256:" + "0".repeat(64);
    registry.putManifest("team/app", wanted, MediaTypes.OCI_MANIFEST, utf8("{\"schemaVersion\":2,\"config\":{}}"));

    try (Hoist hoist = hoist()) {
      assertThatThrownBy(() -> hoist.pull(registry.host() + "/team/app@" + wanted))
          .isInstanceOf(DigestMismatchException.class)
          .hasMessage("manifest verification failed for digest " + wanted);
    }
    assertNothingTaggedAndNoStrayFiles();
  }

  @Test
  void aConfigThatDoesNotListEveryLayerIsRefusedInDockersWords() throws IOException {
    publish("team/app", utf8("layer"), 2);

    try (Hoist hoist = hoist()) {
      assertThatThrownBy(() -> hoist.pull(registry.host() + "/team/app:v1"))
          .isInstanceOf(InvalidManifestException.class)
          .hasMessage("layers from manifest don't match image configuration");
    }
    assertThat(Files.readString(storeDir.resolve("index.json"))).contains("\"manifests\":[]");
  }

  @Test
  void anOversizedManifestIsRefusedBeforeParsing() throws IOException {
    String huge = "{\"pad\":\"" + "x".repeat(5 << 20) + "\"}";
    registry.failNext("/v2/team/big/manifests/v1", 200, huge); // the HEAD, which has no digest
    registry.failNext("/v2/team/big/manifests/v1", 200, huge); // the GET by tag

    try (Hoist hoist = hoist()) {
      assertThatThrownBy(() -> hoist.pull(registry.host() + "/team/big:v1"))
          .isInstanceOf(RegistryException.class)
          .hasMessageStartingWith("rejecting ");
    }
  }

  @Test
  void aRateLimitIsReportedWithTheRegistrysWords() throws IOException {
    String limited =
        "{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"You have reached your pull rate limit.\"}]}";
    registry.failNext("/v2/team/app/manifests/v1", 429, limited); // the HEAD
    registry.failNext("/v2/team/app/manifests/v1", 429, limited); // the GET, whose body speaks
    registry.failNext("/v2/team/app/manifests/v1", 429, limited); // and its one retry

    try (Hoist hoist = Hoist.builder().store(storeDir).credentials(CredentialProvider.anonymous())
        .maxDownloadAttempts(2).retryBackoff(java.time.Duration.ofMillis(10)).build()) {
      assertThatThrownBy(() -> hoist.pull(registry.host() + "/team/app:v1"))
          .isInstanceOf(RegistryException.class)
          .hasMessage("toomanyrequests: You have reached your pull rate limit.");
    }
  }

  @Test
  void aSchema1ManifestIsRefusedAsDockerRefusesIt() throws IOException {
    registry.putManifest("team/old", "v1", MediaTypes.DOCKER_SCHEMA1_SIGNED_MANIFEST,
        utf8("{\"schemaVersion\":1,\"name\":\"team/old\",\"tag\":\"v1\",\"fsLayers\":[]}"));

    try (Hoist hoist = hoist()) {
      assertThatThrownBy(() -> hoist.pull(registry.host() + "/team/old:v1"))
          .hasMessageStartingWith("Docker Image Format v1 and Docker Image manifest version 2, schema 1 support has been removed.");
    }
  }

  @Test
  void blobRedirectsAreFollowedWithoutTheRegistrysCredentials() throws IOException {
    byte[] layer = utf8("a layer kept on a CDN");
    String layerDigest = publish("team/app", layer, 1);
    try (FaultRegistry cdn = FaultRegistry.start()) {
      cdn.putBlob("bucket", layer);
      registry.failNext("/v2/$", 401, "", Map.of("WWW-Authenticate", "Basic realm=\"test\""));
      registry.failNext("/v2/team/app/blobs/" + layerDigest, 307, "",
          Map.of("Location", cdn.baseUri() + "/v2/bucket/blobs/" + layerDigest + "?X-Amz-Signature=secret"));
      CredentialProvider creds = CredentialProvider.of(Map.of(registry.host(), Credential.basic("u", "p")));

      try (Hoist hoist = hoist(creds)) {
        hoist.pull(registry.host() + "/team/app:v1");
      }

      List<RecordedRequest> atCdn = cdn.requests();
      assertThat(atCdn).singleElement().satisfies(r -> assertThat(r.authorization()).isEmpty());
      assertThat(registry.requests())
          .filteredOn(r -> r.path().contains("/manifests/"))
          .allSatisfy(r -> assertThat(r.authorization()).isPresent());
    }
    assertThat(storeDir.resolve("blobs/sha256/" + layerDigest.substring(7))).hasBinaryContent(layer);
  }

  @Test
  void aHelmChartIsRefusedInDockersWordsWithAHint() throws IOException {
    publish("charts/app", utf8("chart"), 1, "application/vnd.cncf.helm.config.v1+json", "");

    try (Hoist hoist = hoist()) {
      assertThatThrownBy(() -> hoist.pull(registry.host() + "/charts/app:v1"))
          .isInstanceOf(InvalidManifestException.class)
          .hasMessageStartingWith(
              "Encountered remote \"application/vnd.cncf.helm.config.v1+json\"(helm chart) when fetching")
          .hasMessageContaining("helm pull oci://" + registry.host() + "/charts/app");
    }
    assertNothingTaggedAndNoStrayFiles();
    assertThat(storeDir.resolve("blobs/sha256")).isEmptyDirectory();
  }

  @Test
  void anUnknownConfigTypeIsRefusedAsUnknown() throws IOException {
    publish("team/thing", utf8("x"), 1, "application/vnd.example.thing+json", "");

    try (Hoist hoist = hoist()) {
      assertThatThrownBy(() -> hoist.pull(registry.host() + "/team/thing:v1"))
          .hasMessageStartingWith("Encountered remote \"application/vnd.example.thing+json\"(unknown) when fetching");
    }
  }

  @Test
  void anOciArtifactIsRefusedAsNotAnImage() throws IOException {
    publish("team/sbom", utf8("{}"), 1, MediaTypes.OCI_EMPTY, "application/spdx+json");

    try (Hoist hoist = hoist()) {
      assertThatThrownBy(() -> hoist.pull(registry.host() + "/team/sbom:v1"))
          .isInstanceOf(InvalidManifestException.class)
          .hasMessage(registry.host() + "/team/sbom:v1 is an OCI artifact (application/spdx+json), not an image:"
              + " hoist pulls container images only");
    }
    assertNothingTaggedAndNoStrayFiles();
  }

  @Test
  void aRegistryThatCannotServeByTheDigestItNamedFallsBackToTheTagWithDockersWarning() throws IOException {
    publish("team/app", utf8("layer"), 1);
    registry.putBlob("team/app", utf8("layer"));
    registry.failNext("/v2/team/app/manifests/sha256:", 404,
        "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}");
    RecordingListener events = new RecordingListener();

    try (Hoist hoist = hoist()) {
      hoist.pull(PullRequest.of(registry.host() + "/team/app:v1"), events);
    }

    assertThat(events.lines).anySatisfy(line -> assertThat(line)
        .startsWith("WARNING: Failed to pull manifest by the resolved digest.")
        .contains("falling back to pull by tag")
        .contains("DEPRECATED"));
    assertThat(Files.readString(storeDir.resolve("index.json"))).contains("team/app:v1");
  }

  @Test
  void aForeignLayerComesFromItsUrlsOnlyWhenAllowed() throws IOException {
    byte[] layer = utf8("a windows base layer, say");
    String layerDigest = Digest.sha256(layer).toString();
    try (FaultRegistry cdn = FaultRegistry.start()) {
      cdn.putBlob("mirror", layer);
      String url = cdn.baseUri() + "/v2/mirror/blobs/" + layerDigest;
      byte[] config = utf8("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + layerDigest + "\"]}}");
      String configDigest = registry.putBlob("team/foreign", config);
      byte[] manifest = utf8("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST + "\","
          + "\"config\":{\"mediaType\":\"" + MediaTypes.DOCKER_CONFIG + "\",\"digest\":\"" + configDigest + "\",\"size\":" + config.length + "},"
          + "\"layers\":[{\"mediaType\":\"" + MediaTypes.DOCKER_FOREIGN_LAYER + "\",\"digest\":\"" + layerDigest
          + "\",\"size\":" + layer.length + ",\"urls\":[\"" + url + "\"]}]}");
      registry.putManifest("team/foreign", "v1", MediaTypes.DOCKER_MANIFEST, manifest);
      PullRequest request = PullRequest.of(registry.host() + "/team/foreign:v1");

      try (Hoist hoist = hoist()) {
        assertThatThrownBy(() -> hoist.pull(request, PullListener.NONE))
            .hasMessageContaining("foreign layer served from " + url)
            .hasMessageContaining("--allow-foreign-layers");
        assertThat(Files.readString(storeDir.resolve("index.json"))).contains("\"manifests\":[]");

        hoist.pull(request.withForeignLayers(true), PullListener.NONE);
      }

      assertThat(storeDir.resolve("blobs/sha256/" + layerDigest.substring(7))).hasBinaryContent(layer);
      assertThat(cdn.requests()).singleElement().satisfies(r -> assertThat(r.authorization()).isEmpty());
    }
  }

  /** Publishes an unsigned schema 1 manifest over two gzip layers; returns the uncompressed layers. */
  private List<byte[]> publishSchema1(String repo) throws IOException {
    List<byte[]> tars = List.of(utf8("base layer bytes"), utf8("top layer bytes"));
    List<String> blobSums = new java.util.ArrayList<>();
    for (byte[] tar : tars) {
      java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
      try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(gz)) {
        out.write(tar);
      }
      blobSums.add(registry.putBlob(repo, gz.toByteArray()));
    }
    String base = "a".repeat(64);
    String top = "b".repeat(64);
    String manifest = "{\"schemaVersion\":1,\"name\":\"" + repo + "\",\"tag\":\"old\",\"architecture\":\"amd64\","
        + "\"fsLayers\":[{\"blobSum\":\"" + blobSums.get(1) + "\"},{\"blobSum\":\"" + blobSums.get(0) + "\"}],"
        + "\"history\":["
        + "{\"v1Compatibility\":" + quote("{\"id\":\"" + top + "\",\"parent\":\"" + base + "\",\"created\":\"2015-01-02T00:00:00Z\","
            + "\"os\":\"linux\",\"architecture\":\"amd64\",\"container_config\":{\"Cmd\":[\"/bin/sh\",\"-c\",\"echo top\"]}}") + "},"
        + "{\"v1Compatibility\":" + quote("{\"id\":\"" + base + "\",\"created\":\"2015-01-01T00:00:00Z\"}") + "}]}";
    registry.putManifest(repo, "old", MediaTypes.DOCKER_SCHEMA1_MANIFEST, utf8(manifest));
    return tars;
  }

  private static String quote(String json) {
    return "\"" + json.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  @Test
  void aSchema1ImageIsRefusedByDefaultAndConvertedWhenAllowed() throws IOException {
    List<byte[]> tars = publishSchema1("team/old");
    PullRequest request = PullRequest.of(registry.host() + "/team/old:old");
    RecordingListener events = new RecordingListener();

    try (Hoist hoist = hoist()) {
      assertThatThrownBy(() -> hoist.pull(request, PullListener.NONE))
          .hasMessageStartingWith("Docker Image Format v1 and Docker Image manifest version 2, schema 1 support has been removed.");
      assertThat(hoist.store().manifests()).isEmpty();

      PullResult result = hoist.pull(request.withSchema1(true), events);

      byte[] config = hoist.store().read(result.imageId(), 1 << 20);
      assertThat(dev.hoist.image.ImageConfig.parse(config).diffIds())
          .containsExactly(Digest.sha256(tars.get(0)), Digest.sha256(tars.get(1)));
      assertThat(new String(config, StandardCharsets.UTF_8)).contains("echo top");
      assertThat(hoist.store().resolve(registry.host() + "/team/old:old")).get()
          .satisfies(d -> assertThat(d.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST));
    }
    assertThat(events.lines).anySatisfy(l -> assertThat(l).startsWith("WARNING: Docker Image Format v1"));
    String inspected = dev.hoist.testing.Tools.run(
        List.of("skopeo", "inspect", "oci:" + storeDir + ":" + registry.host() + "/team/old:old"), storeDir);
    assertThat(inspected).contains("\"Architecture\": \"amd64\"");
  }

  @Test
  void aManifestWithMoreLayersThanDockerCanStackIsRefusedBeforeAnyDownload() throws IOException {
    StringBuilder layers = new StringBuilder();
    StringBuilder diffIds = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      String digest = Digest.sha256("layer " + i).toString();
      layers.append(i == 0 ? "" : ",").append("{\"mediaType\":\"").append(MediaTypes.OCI_LAYER)
          .append("\",\"digest\":\"").append(digest).append("\",\"size\":7}");
      diffIds.append(i == 0 ? "" : ",").append('"').append(digest).append('"');
    }
    byte[] config = utf8("{\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + diffIds + "]}}");
    String configDigest = registry.putBlob("team/deep", config);
    registry.putManifest("team/deep", "v1", MediaTypes.OCI_MANIFEST, utf8(
        "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
            + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + configDigest + "\",\"size\":" + config.length
            + "},\"layers\":[" + layers + "]}"));

    try (Hoist hoist = hoist()) {
      assertThatThrownBy(() -> hoist.pull(registry.host() + "/team/deep:v1"))
          .isInstanceOf(InvalidManifestException.class)
          .hasMessageStartingWith("max depth exceeded");
    }
    assertThat(registry.requests()).noneMatch(r -> r.path().contains("/blobs/"));
  }

  @Test
  void aRegistryCannotSendItsUsersPasswordToATokenRealmOfAnotherSite() throws IOException {
    byte[] layer = utf8("layer");
    publish("team/app", layer, 1);
    registry.putBlob("team/app", layer);
    try (dev.hoist.testing.TokenIssuer elsewhere = dev.hoist.testing.TokenIssuer.start()) {
      String realm = elsewhere.realm().toString().replace("127.0.0.1", "localhost");
      registry.failNext("/v2/$", 401, "",
          Map.of("WWW-Authenticate", "Bearer realm=\"" + realm + "\",service=\"" + elsewhere.service() + "\""));
      CredentialProvider creds =
          CredentialProvider.of(Map.of(registry.host(), Credential.basic("alice", "secret")));

      try (Hoist hoist = hoist(creds)) {
        hoist.pull(registry.host() + "/team/app:v1");
      }

      assertThat(elsewhere.requests()).isNotEmpty().allSatisfy(r -> {
        assertThat(r.authorization()).isEmpty();
        assertThat(r.param("account")).isEmpty();
      });
    }
  }
}
