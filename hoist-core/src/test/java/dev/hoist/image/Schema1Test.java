package dev.hoist.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hoist.internal.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The resources {@code schema1-signed.json} and {@code schema1-payload.json} are a hand-made
 * manifest laid out as docker and libtrust write one (3-space indent, signatures spliced in before
 * the closing brace, {@code formatLength}/{@code formatTail} in the protected header); the digest
 * below is {@code sha256sum schema1-payload.json}.
 */
class Schema1Test {
  private static final Digest PAYLOAD_DIGEST =
      Digest.parse("sha256:3ab90564ba4ad1934584d55691232e60805ff983da17e54c5fa0caef2b5391f5");
  private static final Digest EMPTY_LAYER =
      Digest.parse("sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4");
  private static final Digest LAYER_ONE = Digest.sha256("hoist schema1 layer one");
  private static final Digest LAYER_TWO = Digest.sha256("hoist schema1 layer two");
  private static final String A = "a".repeat(64);
  private static final String B = "b".repeat(64);
  private static final String C = "c".repeat(64);

  @Test
  void signedManifestDigestIsTheSha256OfTheSignedPayload() throws Exception {
    byte[] signed = resource("schema1-signed.json");

    Schema1Image image = Schema1.convert(signed);

    assertThat(Schema1.canonical(signed)).isEqualTo(resource("schema1-payload.json"));
    assertThat(image.digest()).isEqualTo(PAYLOAD_DIGEST);
    assertThat(image.digest()).isNotEqualTo(Digest.sha256(signed));
    assertThat(image.name()).isEqualTo("library/alpine-tools");
    assertThat(image.tag()).isEqualTo("3.10");
    assertThat(image.platform()).hasToString("linux/amd64");
  }

  @Test
  void unsignedManifestIsItsOwnPayload() throws Exception {
    Schema1Image image = Schema1.convert(resource("schema1-payload.json"));

    assertThat(image.digest()).isEqualTo(PAYLOAD_DIGEST);
    assertThat(image.layers()).containsExactly(LAYER_ONE, LAYER_TWO);
  }

  @Test
  void throwawayLayersAreNotDownloadedButStayInTheHistory() throws Exception {
    Schema1Image image = Schema1.convert(resource("schema1-signed.json"));

    assertThat(image.layers()).containsExactly(LAYER_ONE, LAYER_TWO).doesNotContain(EMPTY_LAYER);
    assertThat(image.history())
        .extracting(Schema1History::emptyLayer)
        .containsExactly(false, false, true);
    assertThat(image.history().get(2).createdBy())
        .isEqualTo("/bin/sh -c #(nop)  CMD [\"/bin/sh\"]");
  }

  @Test
  void configCarriesRootfsHistoryAndPlatformButNoV1Fields() throws Exception {
    Schema1Image image = Schema1.convert(resource("schema1-signed.json"));
    List<Digest> diffIds = List.of(Digest.sha256("diff one"), Digest.sha256("diff two"));

    byte[] config = image.configWithDiffIds(diffIds);

    JsonNode json = Json.mapper().readTree(config);
    assertThat(ImageConfig.parse(config).diffIds()).isEqualTo(diffIds);
    assertThat(json.path("os").asText()).isEqualTo("linux");
    assertThat(json.path("architecture").asText()).isEqualTo("amd64");
    assertThat(json.path("config").path("Cmd").toString()).isEqualTo("[\"/bin/sh\"]");
    assertThat(json.has("id") || json.has("parent") || json.has("throwaway")).isFalse();
    JsonNode history = json.path("history");
    assertThat(history).hasSize(3);
    assertThat(history.get(0).toString())
        .isEqualTo(
            "{\"created\":\"2019-08-20T20:19:55+02:00\",\"created_by\":\"/bin/sh -c #(nop) ADD"
                + " file:fe1f09249227e2da2089afb4d07e16cbf832eeb804120074acd2b8192876cd28 in / \","
                + "\"comment\":\"base layer\"}");
    assertThat(history.get(1).path("created").asText()).isEqualTo("2019-08-20T20:19:54.8Z");
    assertThat(history.get(1).path("author").asText()).isEqualTo("Hoist Tests <tests@hoist.dev>");
    assertThat(history.get(2).path("empty_layer").asBoolean()).isTrue();
  }

  @Test
  void configIsDeterministicWithSortedKeysAndGoEscaping() throws Exception {
    List<Digest> diffIds = List.of(Digest.sha256("diff one"), Digest.sha256("diff two"));
    byte[] first = Schema1.convert(resource("schema1-signed.json")).configWithDiffIds(diffIds);
    byte[] second = Schema1.convert(resource("schema1-payload.json")).configWithDiffIds(diffIds);

    assertThat(first).isEqualTo(second);
    String text = new String(first, StandardCharsets.UTF_8);
    assertThat(text)
        .startsWith("{\"architecture\":\"amd64\",\"config\":{\"Hostname\":\"3f2a9c1d7e5b\",")
        .contains("\"docker_version\":\"18.06.1-ce\",\"history\":[")
        .contains("apk add --no-cache ca-certificates \\u0026\\u0026 rm -rf")
        .contains("\"author\":\"Hoist Tests \\u003ctests@hoist.dev\\u003e\"")
        .endsWith(
            "\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                + diffIds.get(0)
                + "\",\""
                + diffIds.get(1)
                + "\"]}}");
  }

  @Test
  void configNeedsOneDiffIdPerDownloadedLayer() throws Exception {
    Schema1Image image = Schema1.convert(resource("schema1-signed.json"));

    assertThatThrownBy(() -> image.configWithDiffIds(List.of(Digest.sha256("only one"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("diffIds.size() != layers().size(): 1 != 2");
  }

  @Test
  void repeatedAdjacentLayersAreRemovedWithTheirHistory() throws Exception {
    ObjectNode repeated =
        manifest(
            layer(C, B, "top"), layer(B, A, "repeat"), layer(B, A, "mid"), layer(A, "", "base"));
    byte[] manifest = sign(repeated);

    Schema1Image image = Schema1.convert(manifest);

    assertThat(image.digest()).isEqualTo(Digest.sha256(Schema1.canonical(manifest)));
    assertThat(Schema1.canonical(manifest)).isEqualTo(bytes(repeated));
    assertThat(image.layers())
        .containsExactly(Digest.sha256("base"), Digest.sha256("mid"), Digest.sha256("top"));
    assertThat(image.history()).hasSize(3);
  }

  @Test
  void brokenParentChainIsRefused() {
    byte[] manifest = sign(manifest(layer(C, A, "top"), layer(B, A, "mid"), layer(A, "", "base")));

    assertRefused(manifest, "invalid parent ID. Expected " + B + ", got " + A);
  }

  @Test
  void baseLayerWithParentIsRefused() {
    assertRefused(
        manifest(layer(B, A, "top"), layer(A, C, "base")),
        "invalid parent ID in the base layer of the image");
  }

  @Test
  void idRepeatedFurtherUpTheChainIsRefused() {
    assertRefused(
        manifest(layer(A, B, "top"), layer(B, A, "mid"), layer(A, "", "base")),
        "ID " + A + " appears multiple times in manifest");
  }

  @Test
  void historyAndLayerCountsMustMatch() {
    ObjectNode manifest = manifest(layer(B, A, "top"), layer(A, "", "base"));
    ((ArrayNode) manifest.path("history")).remove(0);

    assertRefused(bytes(manifest), "length of history not equal to number of layers");
  }

  @Test
  void manifestWithoutLayersIsRefused() {
    assertRefused(manifest(), "no FSLayers in manifest");
  }

  @Test
  void malformedManifestsAreRefusedNamingTheProblem() {
    ObjectNode v2 = manifest(layer(A, "", "base")).put("schemaVersion", 2);
    assertRefused(bytes(v2), "unsupported schema version 2");
    assertRefused(manifest(layer("not-an-id", "", "base")), "image ID 'not-an-id' is invalid");
    ObjectNode badBlob = manifest(layer(A, "", "base"));
    ((ObjectNode) badBlob.path("fsLayers").get(0)).put("blobSum", "md5:abc");
    assertRefused(bytes(badBlob), "could not validate layer digest \"md5:abc\"");
  }

  @Test
  void signatureWhoseFormatLengthExceedsTheManifestIsRefused() {
    String header = "{\"formatLength\":99999,\"formatTail\":\"Cn0\"}";
    ObjectNode manifest = manifest(layer(A, "", "base"));
    manifest.putArray("signatures").addObject().put("protected", base64Url(header));

    assertRefused(bytes(manifest), "invalid format length 99999");
  }

  private static void assertRefused(ObjectNode manifest, String message) {
    assertRefused(bytes(manifest), message);
  }

  private static void assertRefused(byte[] manifest, String message) {
    assertThatThrownBy(() -> Schema1.convert(manifest))
        .isInstanceOf(InvalidManifestException.class)
        .hasMessageStartingWith(message);
  }

  /** A v1 image JSON, with a layer whose blobSum is the sha256 of {@code content}. */
  private static ObjectNode layer(String id, String parent, String content) {
    ObjectNode v1 = Json.mapper().createObjectNode().put("id", id);
    if (!parent.isEmpty()) {
      v1.put("parent", parent);
    }
    v1.put("created", "2024-01-01T00:00:00Z").put("os", "linux").put("architecture", "arm64");
    v1.putObject("container_config").putArray("Cmd").add("/bin/sh").add("-c").add(content);
    return v1.put("blobSum", Digest.sha256(content).toString());
  }

  /** A schema 1 manifest with the given layers, top first. */
  private static ObjectNode manifest(ObjectNode... layers) {
    ObjectNode manifest = Json.mapper().createObjectNode().put("schemaVersion", 1);
    manifest.put("name", "test/repo").put("tag", "latest").put("architecture", "arm64");
    ArrayNode fsLayers = manifest.putArray("fsLayers");
    ArrayNode history = manifest.putArray("history");
    for (ObjectNode layer : layers) {
      fsLayers.addObject().put("blobSum", layer.remove("blobSum").asText());
      history.addObject().put("v1Compatibility", layer.toString());
    }
    return manifest;
  }

  private static byte[] bytes(ObjectNode manifest) {
    try {
      return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Signs as libtrust lays it out: payload up to the last member, then signatures, then tail. */
  private static byte[] sign(ObjectNode manifest) {
    String payload = new String(bytes(manifest), StandardCharsets.UTF_8);
    int close = payload.lastIndexOf('}');
    int length = payload.substring(0, close).stripTrailing().length();
    String header =
        "{\"formatLength\":"
            + length
            + ",\"formatTail\":\""
            + base64Url(payload.substring(length))
            + "\",\"time\":\"2024-01-01T00:00:00Z\"}";
    String signatures =
        ",\n   \"signatures\": [{\"header\": {\"alg\": \"ES256\"}, \"signature\": \"c2ln\","
            + " \"protected\": \""
            + base64Url(header)
            + "\"}]\n}";
    return (payload.substring(0, length) + signatures).getBytes(StandardCharsets.UTF_8);
  }

  private static String base64Url(String text) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = Schema1Test.class.getResourceAsStream(name)) {
      assertThat(in).as(name).isNotNull();
      return in.readAllBytes();
    }
  }
}
