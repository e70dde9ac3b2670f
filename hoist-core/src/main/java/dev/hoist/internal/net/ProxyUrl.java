package dev.hoist.internal.net;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A proxy setting read as Go's {@code httpproxy} reads it: a URL, or {@code host[:port]} meaning
 * {@code http://host[:port]}; port 80 when none is given. Credentials in the URL are kept for the
 * {@code Proxy-Authorization} header and never shown: {@link #toString()} leaves them out.
 * Shared by the registry client, which uses proxies, and the configuration file, which names the
 * key of one it cannot use.
 */
public record ProxyUrl(String scheme, String host, int port, String user, String password) {

  /**
   * Reads a setting; throws {@link IllegalArgumentException}, with the credentials left out of the
   * message, when it is no URL or not an {@code http://} one.
   */
  public static ProxyUrl parse(String setting) {
    int sep = setting.indexOf("://");
    String scheme = sep < 0 ? "" : setting.substring(0, sep).toLowerCase(Locale.ROOT);
    boolean hasScheme = sep > 0 && scheme.matches("[a-z][a-z0-9+.-]*");
    String url = hasScheme ? setting : "http://" + setting;
    if (hasScheme && !scheme.equals("http")) {
      throw new IllegalArgumentException("unsupported proxy " + redact(setting) + ": hoist speaks"
          + " only to http:// proxies (the JDK's HTTP client speaks neither TLS nor SOCKS to a proxy)");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("invalid proxy address " + redact(setting));
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("invalid proxy address " + redact(setting) + ": no host");
    }
    String host = uri.getHost().startsWith("[")
        ? uri.getHost().substring(1, uri.getHost().length() - 1)
        : uri.getHost();
    String user = null;
    String password = null;
    if (uri.getRawUserInfo() != null) {
      String info = uri.getRawUserInfo();
      int colon = info.indexOf(':');
      user = decode(colon < 0 ? info : info.substring(0, colon));
      password = colon < 0 ? "" : decode(info.substring(colon + 1));
    }
    return new ProxyUrl("http", host, uri.getPort() == -1 ? 80 : uri.getPort(), user, password);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  public boolean hasCredentials() {
    return user != null;
  }

  /** {@code Basic …} for the {@code Proxy-Authorization} header. */
  public String basicAuthorization() {
    String pair = user + ":" + password;
    return "Basic " + java.util.Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  /** {@code http://host:port}, without credentials. */
  @Override
  public String toString() {
    return scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  /** A setting as written, with any password replaced by {@code xxxxx}. */
  public static String redact(String setting) {
    int at = setting.lastIndexOf('@');
    if (at < 0) {
      return setting;
    }
    int start = setting.indexOf("://");
    start = start < 0 || start > at ? 0 : start + 3;
    String info = setting.substring(start, at);
    int colon = info.indexOf(':');
    String user = colon < 0 ? info : info.substring(0, colon);
    return setting.substring(0, start) + user + ":xxxxx" + setting.substring(at);
  }
}
