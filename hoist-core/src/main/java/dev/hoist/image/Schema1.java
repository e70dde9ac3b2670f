package dev.hoist.image;

import static dev.hoist.image.Schema1History.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hoist.internal.json.Json;
import dev.hoist.platform.Platform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Converts a Docker image manifest v2, schema 1 ({@code
 * application/vnd.docker.distribution.manifest.v1+prettyjws}, or {@code ...v1+json} unsigned) as
 * docker does when {@code DOCKER_ENABLE_DEPRECATED_PULL_SCHEMA_1_IMAGE} is set: moby's {@code
 * pullSchema1}, {@code verifySchema1Manifest} and {@code fixManifestLayers} in {@code
 * distribution/pull_v2.go}, and {@code HistoryFromConfig} in {@code image/v1}. Pure: no I/O.
 *
 * <p>Signatures are not verified. A libtrust signature only says that some key signed the payload,
 * and docker has long trusted the manifest digest instead; the signatures' protected headers are
 * used only to recover the signed payload, whose sha256 is the digest docker records. A caller
 * pulling by digest must compare {@link Schema1Image#digest()} with it before using anything else.
 *
 * <p>Unlike docker, which refuses a schema 1 manifest without {@code signatures}, an unsigned
 * manifest is accepted and its bytes are the payload.
 */
public final class Schema1 {
  private static final Pattern V1_ID = Pattern.compile("[a-f0-9]{64}");
  private static final ObjectReader READER =
      Json.mapper()
          .reader()
          .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private Schema1() {}

  /**
   * Checks and converts the manifest bytes exactly as served.
   *
   * @throws InvalidManifestException in docker's words where docker has them ("length of history
   *     not equal to number of layers", "invalid parent ID. Expected X, got Y", ...)
   */
  public static Schema1Image convert(byte[] manifestBytes) throws InvalidManifestException {
    byte[] canonical = canonical(manifestBytes);
    ObjectNode manifest = object(canonical, "schema 1 manifest");
    JsonNode version = manifest.path("schemaVersion");
    if (!version.isIntegralNumber() || version.asLong() != 1) {
      throw new InvalidManifestException(
          "unsupported schema version " + (version.isMissingNode() ? "0" : version.toString()));
    }
    JsonNode fsLayers = array(manifest, "fsLayers");
    JsonNode history = array(manifest, "history");
    if (fsLayers.size() != history.size()) {
      throw new InvalidManifestException("length of history not equal to number of layers");
    }
    if (fsLayers.isEmpty()) {
      throw new InvalidManifestException("no FSLayers in manifest");
    }
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < fsLayers.size(); i++) {
      entries.add(Entry.parse(i, fsLayers.get(i), history.get(i)));
    }
    return toImage(canonical, manifest, removeRepeatsAndCheckParents(entries));
  }

  /** {@code pullSchema1}'s loop: base first, throwaway layers in the history only. */
  private static Schema1Image toImage(byte[] canonical, JsonNode manifest, List<Entry> kept)
      throws InvalidManifestException {
    Digest digest = Digest.sha256(canonical);
    List<Digest> layers = new ArrayList<>();
    List<Schema1History> baseFirst = new ArrayList<>();
    for (int i = kept.size() - 1; i >= 0; i--) {
      Entry entry = kept.get(i);
      Digest blobSum;
      try {
        blobSum = Digest.parse(entry.blobSum);
      } catch (IllegalArgumentException e) {
        throw new InvalidManifestException(
            "could not validate layer digest \"" + entry.blobSum + "\": " + e.getMessage());
      }
      baseFirst.add(entry.history);
      if (!entry.history.emptyLayer()) {
        layers.add(blobSum);
      }
    }
    ObjectNode top = kept.get(0).v1;
    String where = "top layer's v1Compatibility";
    Platform platform = Platform.of(text(top, "os", where), text(top, "architecture", where), "");
    return new Schema1Image(
        digest,
        canonical,
        manifest.path("name").asText(""),
        manifest.path("tag").asText(""),
        layers,
        baseFirst,
        platform,
        top);
  }

  /**
   * The payload the signatures cover, as libtrust's {@code ParsePrettySignature} rebuilds it: the
   * first {@code formatLength} bytes followed by {@code formatTail}, both read from each
   * signature's base64url protected header. Without {@code signatures}, the bytes themselves.
   */
  static byte[] canonical(byte[] bytes) throws InvalidManifestException {
    JsonNode signatures = object(bytes, "schema 1 manifest").path("signatures");
    if (signatures.isMissingNode()) {
      return bytes.clone();
    }
    if (!signatures.isArray() || signatures.isEmpty()) {
      throw new InvalidManifestException("schema 1 manifest has no usable signatures");
    }
    long length = -1;
    byte[] tail = null;
    for (JsonNode signature : signatures) {
      ObjectNode header =
          object(base64Url(signature.path("protected"), "protected header"), "protected header");
      JsonNode formatLength = header.path("formatLength");
      if (!formatLength.isNumber()) {
        throw new InvalidManifestException("missing formatted length in protected header");
      }
      byte[] formatTail = base64Url(header.path("formatTail"), "formatTail");
      if (length >= 0 && (length != formatLength.asLong() || !Arrays.equals(tail, formatTail))) {
        throw new InvalidManifestException("conflicting format length or tail in signatures");
      }
      length = formatLength.asLong();
      tail = formatTail;
    }
    if (length < 0 || length > bytes.length) {
      throw new InvalidManifestException("invalid format length " + length);
    }
    byte[] payload = Arrays.copyOf(bytes, (int) length + tail.length);
    System.arraycopy(tail, 0, payload, (int) length, tail.length);
    return payload;
  }

  /** {@code fixManifestLayers}: drop repeated adjacent layers, then demand an unbroken chain. */
  private static List<Entry> removeRepeatsAndCheckParents(List<Entry> entries)
      throws InvalidManifestException {
    if (!entries.get(entries.size() - 1).parent.isEmpty()) {
      throw new InvalidManifestException("invalid parent ID in the base layer of the image");
    }
    Set<String> seen = new HashSet<>();
    String last = null;
    for (Entry entry : entries) {
      if (!entry.id.equals(last) && seen.contains(entry.id)) {
        throw new InvalidManifestException(
            "ID " + entry.id + " appears multiple times in manifest");
      }
      seen.add(entry.id);
      last = entry.id;
    }
    // Backwards, so that removing index i never shifts an index still to be visited.
    List<Entry> kept = new ArrayList<>(entries);
    for (int i = entries.size() - 2; i >= 0; i--) {
      Entry upper = entries.get(i);
      Entry lower = entries.get(i + 1);
      if (upper.id.equals(lower.id)) {
        kept.remove(i);
      } else if (!upper.parent.equals(lower.id)) {
        throw new InvalidManifestException(
            "invalid parent ID. Expected " + lower.id + ", got " + upper.parent);
      }
    }
    return kept;
  }

  /** One {@code fsLayers[i]} with its {@code history[i]}, top layer first. */
  private record Entry(
      String blobSum, ObjectNode v1, String id, String parent, Schema1History history) {

    static Entry parse(int i, JsonNode fsLayer, JsonNode history) throws InvalidManifestException {
      String where = "history[" + i + "].v1Compatibility";
      JsonNode raw = history.path("v1Compatibility");
      if (!raw.isTextual()) {
        throw new InvalidManifestException(where + " is missing");
      }
      ObjectNode v1 = object(raw.asText().getBytes(StandardCharsets.UTF_8), where);
      String id = text(v1, "id", where);
      if (!V1_ID.matcher(id).matches()) {
        throw new InvalidManifestException("image ID '" + id + "' is invalid");
      }
      Schema1History entry = Schema1History.of(v1, where);
      return new Entry(
          fsLayer.path("blobSum").asText(""), v1, id, text(v1, "parent", where), entry);
    }
  }

  private static ObjectNode object(byte[] json, String what) throws InvalidManifestException {
    JsonNode node;
    try {
      node = READER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new InvalidManifestException(what + " is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new InvalidManifestException(what + " is not valid JSON: " + e.getMessage(), e);
    }
    if (node instanceof ObjectNode object) {
      return object;
    }
    throw new InvalidManifestException(what + " is not a JSON object");
  }

  private static JsonNode array(JsonNode manifest, String field) throws InvalidManifestException {
    JsonNode node = manifest.path(field);
    if (node.isArray() || node.isMissingNode() || node.isNull()) {
      return node.isArray() ? node : Json.mapper().createArrayNode();
    }
    throw new InvalidManifestException("schema 1 manifest: " + field + " is not an array");
  }

  private static byte[] base64Url(JsonNode node, String what) throws InvalidManifestException {
    try {
      if (node.isTextual()) {
        return Base64.getUrlDecoder().decode(node.asText());
      }
    } catch (IllegalArgumentException e) {
      // fall through
    }
    throw new InvalidManifestException("schema 1 signature: " + what + " is not base64url");
  }
}
