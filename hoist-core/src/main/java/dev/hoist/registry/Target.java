package dev.hoist.registry;

import dev.hoist.reference.ImageReference;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * One source of a route, ready for requests: the session of its endpoint, the repository's name
 * there, and the {@code ns} query parameter it gets (the image's registry, for every endpoint that
 * is not the registry itself, as containerd sends it).
 *
 * @param image the image as the user named it (for messages)
 * @param last whether no other endpoint is tried after this one
 */
record Target(
    AuthSession session, ImageReference image, String repository, Optional<String> namespace, boolean last) {

  /** The token scope for pulling the repository here. */
  String scope() {
    return "repository:" + repository + ":pull";
  }

  /** {@code <root>/<repository><suffix>}, with {@code ns}: pings the endpoint on first use. */
  URI uri(String suffix) throws IOException {
    return withNamespace(URI.create(session.base() + "/" + repository + suffix));
  }

  /** {@code uri} with the {@code ns} parameter, unless it has one or this target sends none. */
  URI withNamespace(URI uri) {
    if (namespace.isEmpty()) {
      return uri;
    }
    String query = uri.getRawQuery();
    if (query != null && ("&" + query).contains("&ns=")) {
      return uri;
    }
    String ns = "ns=" + URLEncoder.encode(namespace.get(), StandardCharsets.UTF_8);
    String s = uri.toString();
    int hash = s.indexOf('#');
    String base = hash < 0 ? s : s.substring(0, hash);
    return URI.create(base + (query == null ? "?" : "&") + ns);
  }
}
