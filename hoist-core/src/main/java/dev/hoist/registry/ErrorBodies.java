package dev.hoist.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hoist.internal.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/** Reads a registry's error body, at most 64 KiB of it: a hostile server cannot make us buffer more. */
final class ErrorBodies {
  static final int LIMIT = 64 * 1024;

  private ErrorBodies() {}

  /** The errors in the body; empty when it is not the spec's JSON. Closes {@code body}. */
  static List<RegistryError> read(InputStream body) {
    try (InputStream in = body) {
      return parse(in.readNBytes(LIMIT));
    } catch (IOException e) {
      return List.of();
    }
  }

  static List<RegistryError> parse(byte[] bytes) {
    List<RegistryError> errors = new ArrayList<>();
    try {
      JsonNode root = Json.mapper().readTree(bytes);
      if (root == null) {
        return errors;
      }
      for (JsonNode e : root.path("errors")) {
        JsonNode detail = e.path("detail");
        errors.add(
            new RegistryError(
                e.path("code").asText("UNKNOWN"),
                e.path("message").asText(""),
                detail.isMissingNode() || detail.isNull() ? "" : detail.toString()));
      }
    } catch (IOException e) {
      // Not JSON (an HTML error page from a proxy, say): the status code has to speak for it.
    }
    return errors;
  }
}
