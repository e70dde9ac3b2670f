package dev.hoist.testing;

import com.sun.net.httpserver.HttpExchange;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One request as an in-process server ({@link TokenIssuer}, {@link FaultRegistry}) received it.
 *
 * @param method the HTTP method
 * @param uri the request URI (path and query, as sent)
 * @param headers the request headers, keys case-insensitive
 * @param params query parameters followed by {@code application/x-www-form-urlencoded} body
 *     parameters, decoded, in order
 */
public record RecordedRequest(
    String method, URI uri, Map<String, List<String>> headers, Map<String, List<String>> params) {

  public RecordedRequest {
    Map<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach((k, v) -> h.put(k, List.copyOf(v)));
    headers = Collections.unmodifiableMap(h);
    Map<String, List<String>> p = new LinkedHashMap<>();
    params.forEach((k, v) -> p.put(k, List.copyOf(v)));
    params = Collections.unmodifiableMap(p);
  }

  /** The path, without the query. */
  public String path() {
    return uri.getRawPath();
  }

  /** The first value of header {@code name}, if sent. */
  public Optional<String> header(String name) {
    List<String> values = headers.getOrDefault(name, List.of());
    return values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** The {@code Authorization} header, if sent. */
  public Optional<String> authorization() {
    return header("Authorization");
  }

  /** The first value of query or form parameter {@code name}, if sent. */
  public Optional<String> param(String name) {
    List<String> values = params.getOrDefault(name, List.of());
    return values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** Every value of query or form parameter {@code name}, in order. */
  public List<String> params(String name) {
    return params.getOrDefault(name, List.of());
  }

  @Override
  public String toString() {
    return method + " " + uri + (authorization().isPresent() ? " (with Authorization)" : "");
  }

  static RecordedRequest of(HttpExchange exchange, String formBody) {
    Map<String, List<String>> params = new LinkedHashMap<>();
    parseForm(exchange.getRequestURI().getRawQuery(), params);
    parseForm(formBody, params);
    return new RecordedRequest(
        exchange.getRequestMethod(),
        exchange.getRequestURI(),
        exchange.getRequestHeaders(),
        params);
  }

  private static void parseForm(String encoded, Map<String, List<String>> into) {
    if (encoded == null || encoded.isEmpty()) {
      return;
    }
    for (String pair : encoded.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      into.computeIfAbsent(decode(key), k -> new ArrayList<>()).add(decode(value));
    }
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
