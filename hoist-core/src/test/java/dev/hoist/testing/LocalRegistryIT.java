package dev.hoist.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hoist.testing.LocalRegistry.ManifestFormat;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalRegistryIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path work;
  private static OciLayoutImage multiLayer;

  @BeforeAll
  static void buildImage() throws IOException {
    multiLayer = TestImages.multiLayer(work);
  }

  @Test
  void anonymousRegistryServesTheManifestSkopeoPushed() throws Exception {
    try (LocalRegistry registry = LocalRegistry.anonymous()) {
      String digest = registry.push(multiLayer, "hoist/multi", "v1");

      JsonNode inspected = inspect(registry, "hoist/multi:v1");
      assertThat(inspected.path("Digest").asText())
          .isEqualTo(digest)
          .isEqualTo(multiLayer.manifestDigest());
      assertThat(inspected.path("Layers")).hasSize(3);
      assertThat(registry.host()).matches("127\\.0\\.0\\.1:\\d+");
    }
  }

  @Test
  void pushAsDockerSchema2ConvertsTheManifest() throws Exception {
    try (LocalRegistry registry = LocalRegistry.anonymous()) {
      String digest = registry.push(multiLayer, "hoist/multi", "v2s2", ManifestFormat.DOCKER_V2S2);

      JsonNode raw = JSON.readTree(run(registry, "inspect", "--raw", "hoist/multi:v2s2"));
      assertThat(raw.path("mediaType").asText())
          .isEqualTo("application/vnd.docker.distribution.manifest.v2+json");
      assertThat(raw.path("layers")).hasSize(3);
      assertThat(digest).isNotEqualTo(multiLayer.manifestDigest());
      assertThat(inspect(registry, "hoist/multi:v2s2").path("Digest").asText()).isEqualTo(digest);
    }
  }

  @Test
  void basicAuthRegistryServesOnlyClientsWithCredentials() throws Exception {
    try (LocalRegistry registry = LocalRegistry.withBasicAuth("alice", "s3cret")) {
      registry.push(multiLayer, "hoist/private", "v1");

      assertThatThrownBy(() -> inspect(registry, "hoist/private:v1"))
          .hasMessageContaining("unauthorized");
      assertThat(inspect(registry, "hoist/private:v1", "--creds=alice:s3cret").path("Layers"))
          .hasSize(3);
      assertThat(ping(registry)).isEqualTo(401);
    }
  }

  @Test
  void tokenRegistryLetsAnonymousClientsPullOnlyPublicRepositories() throws Exception {
    try (TokenIssuer issuer = TokenIssuer.start().publicRepository("hoist/public");
        LocalRegistry registry = LocalRegistry.withTokenAuth(issuer)) {
      registry.push(multiLayer, "hoist/public", "v1");
      registry.push(multiLayer, "hoist/private", "v1");
      issuer.clearRequests();

      assertThat(inspect(registry, "hoist/public:v1").path("Layers")).hasSize(3);
      assertThatThrownBy(() -> inspect(registry, "hoist/private:v1"))
          .hasMessageContaining("unauthorized");
      assertThat(issuer.requests())
          .allSatisfy(r -> assertThat(r.authorization()).isEmpty())
          .anySatisfy(r -> assertThat(r.params("scope")).contains("repository:hoist/public:pull"));
    }
  }

  @Test
  void tokenRegistryServesUsersTheIssuerKnows() throws Exception {
    try (TokenIssuer issuer = TokenIssuer.start().user("bob", "pw");
        LocalRegistry registry = LocalRegistry.withTokenAuth(issuer)) {
      String digest = registry.push(multiLayer, "hoist/private", "v1");

      assertThat(inspect(registry, "hoist/private:v1", "--creds=bob:pw").path("Digest").asText())
          .isEqualTo(digest);
      assertThatThrownBy(() -> inspect(registry, "hoist/private:v1", "--creds=bob:wrong"))
          .isInstanceOf(IOException.class);
      assertThat(ping(registry)).isEqualTo(401);
    }
  }

  @Test
  void sharingBaseImagesShareTheirBottomLayerInTheRegistry() throws Exception {
    TestImages.SharedBase images = TestImages.sharingBase(work.resolve("shared"));
    try (LocalRegistry registry = LocalRegistry.anonymous()) {
      registry.push(images.first(), "hoist/first", "v1");
      registry.push(images.second(), "hoist/second", "v1");

      List<String> first = layers(inspect(registry, "hoist/first:v1"));
      List<String> second = layers(inspect(registry, "hoist/second:v1"));
      assertThat(first).hasSize(2);
      assertThat(second).hasSize(2);
      assertThat(first.get(0)).isEqualTo(second.get(0));
      assertThat(first.get(1)).isNotEqualTo(second.get(1));
      assertThat(first.get(0)).isEqualTo(images.base().layerDigests().get(0));
    }
  }

  @Test
  void largeLayerIsPushedUncompressedAndUnchanged() throws Exception {
    OciLayoutImage large = TestImages.largeLayer(work.resolve("large"), 8 << 20);
    try (LocalRegistry registry = LocalRegistry.anonymous()) {
      String digest = registry.push(large, "hoist/large", "v1");

      JsonNode raw = JSON.readTree(run(registry, "inspect", "--raw", "hoist/large:v1"));
      JsonNode layer = raw.path("layers").get(0);
      assertThat(digest).isEqualTo(large.manifestDigest());
      assertThat(layer.path("mediaType").asText()).isEqualTo(LargeLayerImage.LAYER_TYPE);
      assertThat(layer.path("digest").asText()).isEqualTo(large.layerDigests().get(0));
      assertThat(layer.path("size").asLong()).isGreaterThanOrEqualTo(8 << 20);
    }
  }

  @Test
  void closeStopsTheRegistryAndDeletesItsFiles() throws Exception {
    LocalRegistry registry = LocalRegistry.anonymous();
    Path log = registry.logFile();
    assertThat(ping(registry)).isEqualTo(200);

    registry.close();

    assertThat(log).doesNotExist();
    assertThatThrownBy(() -> ping(registry)).isInstanceOf(IOException.class);
  }

  @Test
  void startupFailureQuotesTheRegistryLog() throws Exception {
    try (TokenIssuer issuer = TokenIssuer.start()) {
      Files.delete(issuer.certificatePem());

      assertThatThrownBy(() -> LocalRegistry.withTokenAuth(issuer).close())
          .isInstanceOf(IOException.class)
          .hasMessageContaining("docker-registry exited")
          .hasMessageContaining(issuer.certificatePem().toString());
    }
  }

  private static JsonNode inspect(LocalRegistry registry, String image, String... options)
      throws IOException {
    return JSON.readTree(run(registry, "inspect", options.length == 0 ? null : options[0], image));
  }

  private static String run(LocalRegistry registry, String command, String option, String image)
      throws IOException {
    List<String> cmd = new ArrayList<>(registry.skopeo(command, "--tls-verify=false"));
    if (option != null) {
      cmd.add(option);
    }
    cmd.add("docker://" + registry.host() + "/" + image);
    return Tools.run(cmd, work);
  }

  private static List<String> layers(JsonNode inspected) {
    List<String> layers = new ArrayList<>();
    inspected.path("Layers").forEach(l -> layers.add(l.asText()));
    return layers;
  }

  private static int ping(LocalRegistry registry) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(registry.baseUri().resolve("/v2/")).build();
    return HttpClient.newHttpClient()
        .send(request, HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
