package dev.hoist.image;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hoist.internal.json.Json;
import dev.hoist.platform.Platform;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * A schema 1 manifest converted by {@link Schema1#convert}: what to download, and the image config
 * to write once the layers are in. Immutable and thread-safe.
 *
 * <p>The config's {@code rootfs.diff_ids} are the digests of the <em>uncompressed</em> layers,
 * which schema 1 never records. The caller computes them while downloading {@link #layers()} and
 * then calls {@link #configWithDiffIds}, as docker's {@code pullSchema1} hands the download's
 * RootFS to {@code MakeConfigFromV1Config}.
 */
public final class Schema1Image {
  /**
   * Fields of a v1 image JSON that are not image config, dropped as {@code image/v1} drops them.
   */
  private static final Set<String> V1_ONLY =
      Set.of("id", "parent", "Size", "parent_id", "layer_id", "throwaway");

  private static final ObjectWriter GO_STYLE = Json.mapper().writer().with(new GoEscapes());

  private final Digest digest;
  private final byte[] payload;
  private final String name;
  private final String tag;
  private final List<Digest> layers;
  private final List<Schema1History> history;
  private final Platform platform;
  private final ObjectNode topV1;

  Schema1Image(
      Digest digest,
      byte[] payload,
      String name,
      String tag,
      List<Digest> layers,
      List<Schema1History> history,
      Platform platform,
      ObjectNode topV1) {
    this.digest = digest;
    this.payload = payload.clone();
    this.name = name;
    this.tag = tag;
    this.layers = List.copyOf(layers);
    this.history = List.copyOf(history);
    this.platform = platform;
    this.topV1 = topV1.deepCopy();
  }

  /** The signed payload: the manifest without its signatures, whose sha256 is {@link #digest()}. */
  public byte[] payload() {
    return payload.clone();
  }

  /** sha256 of the signed payload: the digest docker records and a pull by digest must match. */
  public Digest digest() {
    return digest;
  }

  /** The manifest's {@code name} (repository), empty when absent. Informational only. */
  public String name() {
    return name;
  }

  /** The manifest's {@code tag}, empty when absent. Informational only. */
  public String tag() {
    return tag;
  }

  /**
   * The {@code blobSum}s to download, base layer first, with repeated layers and {@code throwaway}
   * layers left out. Each is a gzipped tar, as in a schema 2 manifest.
   */
  public List<Digest> layers() {
    return layers;
  }

  /**
   * {@code os} and {@code architecture} of the top layer's v1 JSON, for docker's early OS check.
   */
  public Platform platform() {
    return platform;
  }

  /** The config's {@code history}, base first; throwaway layers are {@code empty_layer} entries. */
  List<Schema1History> history() {
    return history;
  }

  /**
   * The image config: the top layer's v1 JSON without its v1-only fields, plus {@code history} and
   * {@code rootfs}. Deterministic: equal inputs give equal bytes. It is written as docker's Go
   * encoder writes it (top-level keys sorted, nested values in their original order, {@code <},
   * {@code >} and {@code &} escaped), so that for v1 JSON written by docker 1.8.3 or later it
   * should be docker's bytes and hence docker's image ID (not yet checked against a daemon). For
   * older v1 JSON docker first re-encodes it through its own structs, which this does not do.
   *
   * @param diffIds the DiffIDs of {@link #layers()}, in the same order
   * @throws IllegalArgumentException if there is not exactly one DiffID per layer
   */
  public byte[] configWithDiffIds(List<Digest> diffIds) {
    Objects.requireNonNull(diffIds, "diffIds == null");
    if (diffIds.size() != layers.size()) {
      throw new IllegalArgumentException(
          "diffIds.size() != layers().size(): " + diffIds.size() + " != " + layers.size());
    }
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    Map<String, JsonNode> fields = new TreeMap<>();
    for (Map.Entry<String, JsonNode> field : topV1.properties()) {
      if (!V1_ONLY.contains(field.getKey())) {
        fields.put(field.getKey(), field.getValue());
      }
    }
    ArrayNode ids = nodes.arrayNode();
    diffIds.forEach(id -> ids.add(id.toString()));
    fields.put("rootfs", nodes.objectNode().put("type", "layers").set("diff_ids", ids));
    ArrayNode entries = nodes.arrayNode();
    history.forEach(entry -> entries.add(entry.toJson(nodes)));
    fields.put("history", entries);

    ObjectNode config = nodes.objectNode();
    config.setAll(fields);
    try {
      return GO_STYLE.writeValueAsBytes(config);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree: " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "Schema1Image{" + name + ":" + tag + "@" + digest + ", " + layers.size() + " layers}";
  }

  /**
   * Go's {@code encoding/json} escapes: HTML characters, U+2028/9 and controls as lower-case hex.
   */
  private static final class GoEscapes extends CharacterEscapes {
    private final int[] ascii = standardAsciiEscapesForJSON();

    GoEscapes() {
      for (int c = 0; c < 0x20; c++) {
        if (c != '\n' && c != '\r' && c != '\t' && c != '\b' && c != '\f') {
          ascii[c] = ESCAPE_CUSTOM;
        }
      }
      ascii['<'] = ESCAPE_CUSTOM;
      ascii['>'] = ESCAPE_CUSTOM;
      ascii['&'] = ESCAPE_CUSTOM;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      boolean escaped = ch < 0x80 ? ascii[ch] == ESCAPE_CUSTOM : ch == 0x2028 || ch == 0x2029;
      return escaped ? new SerializedString(String.format("\\u%04x", ch)) : null;
    }
  }
}
