package dev.hoist.auth;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * malformed part might be a password. {@link #entry} makes the {@code auths} entries {@code hoist
 * login} writes.
 */
final class ConfigJson {
  /** Floats are read as exact decimals, so keys hoist does not touch are written back unchanged. */
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

  private ConfigJson() {}

  static DockerConfig parse(String source, byte[] json, List<Path> helperPath) throws IOException {
    JsonNode root = tree(source, json);
    Map<String, Credential> auths = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : fields(source, root, "auths")) {
      Credential credential = credential(source, entry.getKey(), entry.getValue());
      if (credential != null) {
        auths.put(entry.getKey(), credential);
      }
    }
    return new DockerConfig(
        source,
        Collections.unmodifiableMap(auths),
        credsStore(source, root),
        credHelpers(source, root),
        helperPath);
  }

  /**
   * The file as a JSON object; an empty file is an empty object, as it is for docker.
   *
   * @throws IOException if it is not JSON or not an object
   */
  static ObjectNode tree(String source, byte[] json) throws IOException {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      // Not chained: Jackson's message quotes the offending token, which may be a secret.
      throw new IOException(source + ": malformed JSON" + where(e.getLocation()));
    }
    if (root == null || root.isMissingNode()) {
      return MAPPER.createObjectNode(); // empty file
    }
    if (!root.isObject()) {
      throw new IOException(source + ": not a JSON object");
    }
    return (ObjectNode) root;
  }

  /** The default credential helper, {@code credsStore}; empty when unset. */
  static String credsStore(String source, JsonNode root) throws IOException {
    return text(source, "credsStore", root.get("credsStore"));
  }

  /** The per-registry credential helpers, {@code credHelpers}, in the file's order. */
  static Map<String, String> credHelpers(String source, JsonNode root) throws IOException {
    Map<String, String> credHelpers = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : fields(source, root, "credHelpers")) {
      String path = "credHelpers[\"" + entry.getKey() + "\"]";
      credHelpers.put(entry.getKey(), text(source, path, entry.getValue()));
    }
    return Collections.unmodifiableMap(credHelpers);
  }

  /**
   * The {@code auths} object, created if the file has none.
   *
   * @throws IOException if {@code auths} is there but not an object
   */
  static ObjectNode auths(String source, ObjectNode root) throws IOException {
    JsonNode node = root.get("auths");
    if (node == null || node.isNull()) {
      return root.putObject("auths");
    }
    if (!node.isObject()) {
      throw new IOException(source + ": auths is not a JSON object");
    }
    return (ObjectNode) node;
  }

  /**
   * An {@code auths} entry as {@code docker login} writes it ({@code ConfigFile.Save}): {@code
   * auth} is base64 of {@code username:password}, an identity token goes beside it, and nothing
   * else is kept. Empty for an empty credential, as docker leaves the entry of a server whose
   * secret a credential helper keeps.
   */
  static ObjectNode entry(Credential credential) {
    ObjectNode entry = MAPPER.createObjectNode();
    String username = credential.username();
    String password = credential.password();
    if (!username.isEmpty() || !password.isEmpty()) {
      byte[] pair = (username + ":" + password).getBytes(StandardCharsets.UTF_8);
      entry.put("auth", Base64.getEncoder().encodeToString(pair));
    }
    if (credential.isIdentityToken()) {
      entry.put("identitytoken", credential.identityToken());
    }
    return entry;
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
