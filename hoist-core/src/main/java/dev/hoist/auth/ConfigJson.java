package dev.hoist.auth;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the credential parts of docker's {@code config.json}, as {@code ConfigFile.LoadFromReader}
 * and {@code decodeAuth} in docker/cli do.
 *
 * <p>Error messages name the file and the JSON path but never quote the file's content: the
 * malformed part might be a password.
 */
final class ConfigJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ConfigJson() {}

  static DockerConfig parse(String source, byte[] json, List<Path> helperPath) throws IOException {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      // Not chained: Jackson's message quotes the offending token, which may be a secret.
      throw new IOException(source + ": malformed JSON" + where(e.getLocation()));
    }
    if (root == null || root.isMissingNode()) {
      return new DockerConfig(source, Map.of(), "", Map.of(), helperPath); // empty file
    }
    if (!root.isObject()) {
      throw new IOException(source + ": not a JSON object");
    }
    Map<String, Credential> auths = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : fields(source, root, "auths")) {
      Credential credential = credential(source, entry.getKey(), entry.getValue());
      if (credential != null) {
        auths.put(entry.getKey(), credential);
      }
    }
    Map<String, String> credHelpers = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : fields(source, root, "credHelpers")) {
      String path = "credHelpers[\"" + entry.getKey() + "\"]";
      credHelpers.put(entry.getKey(), text(source, path, entry.getValue()));
    }
    String credsStore = text(source, "credsStore", root.get("credsStore"));
    return new DockerConfig(
        source,
        Collections.unmodifiableMap(auths),
        credsStore,
        Collections.unmodifiableMap(credHelpers),
        helperPath);
  }

  /** One {@code auths} entry, or null if it holds no credential (as with a {@code credsStore}). */
  private static Credential credential(String source, String key, JsonNode entry)
      throws IOException {
    String path = "auths[\"" + key + "\"]";
    if (entry == null || entry.isNull()) {
      return null;
    }
    if (!entry.isObject()) {
      throw new IOException(source + ": " + path + " is not a JSON object");
    }
    String username = text(source, path + ".username", entry.get("username"));
    String password = text(source, path + ".password", entry.get("password"));
    String auth = text(source, path + ".auth", entry.get("auth"));
    String identityToken = text(source, path + ".identitytoken", entry.get("identitytoken"));
    if (!auth.isEmpty()) { // auth wins over username and password, as in docker
      String decoded = decodeAuth(source, path + ".auth", auth);
      int colon = decoded.indexOf(':');
      username = decoded.substring(0, colon);
      password = trimNul(decoded.substring(colon + 1));
    }
    if (!identityToken.isEmpty()) {
      return Credential.identityToken(username, identityToken);
    }
    if (username.isEmpty() && password.isEmpty()) {
      return null;
    }
    return Credential.basic(username, password);
  }

  /** Decodes {@code base64(username:password)}; the result has a colon and a user name. */
  private static String decodeAuth(String source, String path, String auth) throws IOException {
    byte[] bytes;
    try {
      // Go's base64 decoder skips CR and LF; Java's basic decoder does not.
      bytes = Base64.getDecoder().decode(auth.replace("\r", "").replace("\n", ""));
    } catch (IllegalArgumentException e) {
      throw new IOException(source + ": " + path + " is not valid base64");
    }
    String decoded = new String(bytes, StandardCharsets.UTF_8);
    if (decoded.indexOf(':') <= 0) {
      throw new IOException(source + ": " + path + " is not base64 of username:password");
    }
    return decoded;
  }

  /** Go's {@code strings.Trim(password, "\x00")}. */
  private static String trimNul(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && s.charAt(start) == '\0') {
      start++;
    }
    while (end > start && s.charAt(end - 1) == '\0') {
      end--;
    }
    return s.substring(start, end);
  }

  private static Iterable<Map.Entry<String, JsonNode>> fields(
      String source, JsonNode root, String name) throws IOException {
    JsonNode node = root.get(name);
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (!node.isObject()) {
      throw new IOException(source + ": " + name + " is not a JSON object");
    }
    return node.properties();
  }

  /** A string field; absent or null reads as empty, like an omitted Go string. */
  private static String text(String source, String path, JsonNode node) throws IOException {
    if (node == null || node.isNull()) {
      return "";
    }
    if (!node.isTextual()) {
      throw new IOException(source + ": " + path + " is not a string");
    }
    return node.textValue();
  }

  private static String where(JsonLocation location) {
    return location == null
        ? ""
        : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
  }
}
