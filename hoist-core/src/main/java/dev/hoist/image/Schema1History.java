package dev.hoist.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * One image config {@code history} entry made from a schema 1 {@code v1Compatibility} JSON, as
 * moby's {@code image/v1.HistoryFromConfig} makes it. Not API.
 *
 * @param created RFC 3339 as Go writes it, empty when the v1 JSON has none
 * @param createdBy {@code container_config.Cmd} joined with spaces
 * @param emptyLayer the v1 JSON's {@code throwaway}: no layer is downloaded for this entry
 */
record Schema1History(
    String created, String author, String createdBy, String comment, boolean emptyLayer) {

  /** Reads and type-checks the fields docker decodes; {@code where} names the JSON in errors. */
  static Schema1History of(ObjectNode v1, String where) throws InvalidManifestException {
    JsonNode throwaway = v1.path("throwaway");
    if (!throwaway.isMissingNode() && !throwaway.isNull() && !throwaway.isBoolean()) {
      throw new InvalidManifestException(where + ": throwaway is not a boolean");
    }
    // Docker's strslice: a string is a one-word command.
    JsonNode cmd = v1.path("container_config").path("Cmd");
    List<String> words = new ArrayList<>();
    for (JsonNode word : cmd.isArray() ? cmd : List.of(cmd)) {
      if (word.isTextual()) {
        words.add(word.asText());
      } else if (!word.isNull() && !word.isMissingNode()) {
        throw new InvalidManifestException(where + ": container_config.Cmd is not a string list");
      }
    }
    return new Schema1History(
        goTime(text(v1, "created", where), where),
        text(v1, "author", where),
        String.join(" ", words),
        text(v1, "comment", where),
        throwaway.asBoolean(false));
  }

  /** A string field, empty when absent or null; anything else is refused, as Go's decoder does. */
  static String text(JsonNode object, String field, String where) throws InvalidManifestException {
    JsonNode node = object.path(field);
    if (node.isTextual() || node.isMissingNode() || node.isNull()) {
      return node.asText("");
    }
    throw new InvalidManifestException(where + ": " + field + " is not a string");
  }

  /** Docker's {@code image.History} field order, empty fields omitted. */
  ObjectNode toJson(JsonNodeFactory nodes) {
    ObjectNode json = nodes.objectNode();
    putIfNotEmpty(json, "created", created);
    putIfNotEmpty(json, "author", author);
    putIfNotEmpty(json, "created_by", createdBy);
    putIfNotEmpty(json, "comment", comment);
    if (emptyLayer) {
      json.put("empty_layer", true);
    }
    return json;
  }

  private static void putIfNotEmpty(ObjectNode json, String field, String value) {
    if (!value.isEmpty()) {
      json.put(field, value);
    }
  }

  /**
   * Go's {@code time.Time} round trip: RFC 3339 in, {@code RFC3339Nano} out (trailing zeros of the
   * fraction dropped, {@code Z} for UTC), so the history reads as docker writes it.
   */
  private static String goTime(String rfc3339, String where) throws InvalidManifestException {
    if (rfc3339.isEmpty()) {
      return "";
    }
    OffsetDateTime time;
    try {
      time = OffsetDateTime.parse(rfc3339, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    } catch (DateTimeParseException e) {
      throw new InvalidManifestException(where + ": created is not an RFC 3339 time: " + rfc3339);
    }
    String fraction = String.format("%09d", time.getNano()).replaceAll("0+$", "");
    return time.format(DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss"))
        + (fraction.isEmpty() ? "" : "." + fraction)
        + (time.getOffset().getTotalSeconds() == 0 ? "Z" : time.getOffset().getId());
  }
}
