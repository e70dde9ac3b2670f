package dev.hoist.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One authentication challenge from a {@code WWW-Authenticate} header (RFC 7235): a scheme such
 * as {@code Bearer} and its parameters, e.g. {@code realm}, {@code service} and {@code scope}.
 * Scheme and parameter names are lower-cased; values are kept as sent.
 */
record Challenge(String scheme, Map<String, String> params) {

  Challenge {
    params = Map.copyOf(params);
  }

  String param(String name) {
    return params.getOrDefault(name, "");
  }

  boolean isBearer() {
    return scheme.equals("bearer");
  }

  boolean isBasic() {
    return scheme.equals("basic");
  }

  /**
   * Parses every challenge in a header value. A header may hold several challenges, separated
   * by commas like their parameters: {@code Basic realm="x", Bearer realm="y",service="z"}.
   * Malformed parts are skipped rather than failing the request.
   */
  static List<Challenge> parse(String header) {
    List<Challenge> result = new ArrayList<>();
    Parser p = new Parser(header == null ? "" : header);
    String scheme = p.token();
    while (!scheme.isEmpty()) {
      Map<String, String> params = new LinkedHashMap<>();
      String next = "";
      while (true) {
        p.skipSpaceAndCommas();
        int mark = p.pos;
        String name = p.token();
        if (name.isEmpty()) {
          break;
        }
        p.skipSpace();
        if (!p.consume('=')) {
          next = name; // a token without "=" starts the next challenge
          break;
        }
        p.skipSpace();
        String value = p.peek() == '"' ? p.quoted() : p.token();
        params.put(name.toLowerCase(Locale.ROOT), value);
        if (p.pos == mark) {
          break;
        }
      }
      result.add(new Challenge(scheme.toLowerCase(Locale.ROOT), params));
      scheme = next;
    }
    return result;
  }

  private static final class Parser {
    private final String s;
    private int pos;

    Parser(String s) {
      this.s = s;
    }

    char peek() {
      return pos < s.length() ? s.charAt(pos) : 0;
    }

    boolean consume(char c) {
      if (peek() == c) {
        pos++;
        return true;
      }
      return false;
    }

    void skipSpace() {
      while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
        pos++;
      }
    }

    void skipSpaceAndCommas() {
      while (pos < s.length() && (Character.isWhitespace(s.charAt(pos)) || s.charAt(pos) == ',')) {
        pos++;
      }
    }

    String token() {
      skipSpace();
      int start = pos;
      while (pos < s.length() && isTokenChar(s.charAt(pos))) {
        pos++;
      }
      return s.substring(start, pos);
    }

    String quoted() {
      pos++; // opening quote
      StringBuilder value = new StringBuilder();
      while (pos < s.length() && s.charAt(pos) != '"') {
        char c = s.charAt(pos++);
        if (c == '\\' && pos < s.length()) {
          c = s.charAt(pos++);
        }
        value.append(c);
      }
      if (pos < s.length()) {
        pos++; // closing quote; a value left unterminated ends with the header
      }
      return value.toString();
    }

    private static boolean isTokenChar(char c) {
      return c > ' ' && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0
          || c == '/' || c == ':' || c == '@' || c == '[' || c == ']' || c == '?';
    }
  }
}
