package dev.hoist.registry;

import java.net.URI;

/** Keeps secrets out of messages: presigned blob URLs carry credentials in their query string. */
final class Redact {
  private Redact() {}

  static String uri(URI uri) {
    String s = uri.toString();
    int q = s.indexOf('?');
    String withoutQuery = q < 0 ? s : s.substring(0, q) + "?<redacted>";
    return uri.getUserInfo() == null ? withoutQuery : withoutQuery.replace(uri.getUserInfo() + "@", "");
  }
}
