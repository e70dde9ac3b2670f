package dev.hoist.registry;

import dev.hoist.internal.net.ProxyUrl;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;

/**
 * {@link ProxySettings} as a {@link ProxySelector} for the JDK's HTTP client (which reads no
 * {@code *_PROXY} variable itself), deciding per request as Go's {@code httpproxy.ProxyFunc}: the
 * {@code https} proxy for {@code https} URLs, the {@code http} proxy for {@code http} URLs, none
 * for hosts {@link NoProxy} exempts. Thread-safe and immutable.
 *
 * <p>Credentials in a proxy URL are sent up front in a {@code Proxy-Authorization: Basic} header,
 * as Go sends them. The JDK strips that header from {@code CONNECT} requests (the tunnels that
 * carry {@code https}) while {@code Basic} is listed in {@code jdk.http.auth.tunneling.disabledSchemes},
 * as it is by default; such a request is refused, naming the property, rather than sent without
 * the credentials.
 */
final class ProxyRules extends ProxySelector {
  private static final String TUNNELING = "jdk.http.auth.tunneling.disabledSchemes";
  private static final String PROXYING = "jdk.http.auth.proxying.disabledSchemes";

  private final Setting httpsProxy;
  private final Setting httpProxy;
  private final NoProxy noProxy;

  ProxyRules(ProxySettings settings) {
    this.httpsProxy = Setting.of(settings.httpsProxy());
    this.httpProxy = Setting.of(settings.httpProxy());
    this.noProxy = NoProxy.parse(settings.noProxy());
  }

  /** A proxy setting, parsed once (every request asks three times): the proxy, or why not. */
  private record Setting(ProxyUrl proxy, String problem) {
    static final Setting NONE = new Setting(null, null);

    static Setting of(String text) {
      if (text.isEmpty()) {
        return NONE;
      }
      try {
        return new Setting(ProxyUrl.parse(text), null);
      } catch (IllegalArgumentException e) {
        return new Setting(null, e.getMessage());
      }
    }

    boolean isSet() {
      return proxy != null || problem != null;
    }
  }

  /**
   * The proxy for a request to {@code uri}, if it goes through one. Throws {@link
   * IllegalArgumentException} when the setting that applies cannot be used.
   */
  Optional<ProxyUrl> proxyFor(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    Setting setting = switch (scheme) {
      case "https" -> httpsProxy;
      case "http" -> httpProxy;
      default -> Setting.NONE;
    };
    if (!setting.isSet() || uri.getHost() == null) {
      return Optional.empty();
    }
    int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
    if (noProxy.bypasses(uri.getHost(), port)) {
      return Optional.empty();
    }
    if (setting.problem() != null) {
      throw new IllegalArgumentException(setting.problem());
    }
    return Optional.of(setting.proxy());
  }

  /** Why a request to {@code uri} cannot be sent as its proxy setting says, if it cannot. */
  Optional<String> refusal(URI uri) {
    ProxyUrl proxy;
    try {
      proxy = proxyFor(uri).orElse(null);
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
    if (proxy == null || !proxy.hasCredentials() || basicAllowed(uri)) {
      return Optional.empty();
    }
    String property = "https".equals(uri.getScheme()) ? TUNNELING : PROXYING;
    return Optional.of("the proxy " + proxy + " takes a password, but this JVM does not send Basic"
        + " credentials to proxies" + ("https".equals(uri.getScheme()) ? " for HTTPS tunnels" : "")
        + " (" + property + " lists Basic; run java with -D" + property + "= to allow it)");
  }

  /** The {@code Proxy-Authorization} header for a request to {@code uri}, if it needs one. */
  Optional<String> authorization(URI uri) {
    try {
      return proxyFor(uri).filter(ProxyUrl::hasCredentials).map(ProxyUrl::basicAuthorization);
    } catch (IllegalArgumentException e) {
      return Optional.empty(); // refused before sending
    }
  }

  @Override
  public List<Proxy> select(URI uri) {
    try {
      return proxyFor(uri)
          .map(p -> List.of(new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(p.host(), p.port()))))
          .orElse(List.of(Proxy.NO_PROXY));
    } catch (IllegalArgumentException e) {
      return List.of(Proxy.NO_PROXY); // refused before sending
    }
  }

  @Override
  public void connectFailed(URI uri, SocketAddress address, IOException e) {
    // One proxy per scheme: nothing to fall back to.
  }

  private static boolean basicAllowed(URI uri) {
    String property = "https".equals(uri.getScheme()) ? TUNNELING : PROXYING;
    String value = System.getProperty(property);
    if (value == null) {
      value = NetProperties.DEFAULTS.getProperty(property, "");
    }
    for (String scheme : value.split(",")) {
      if (scheme.trim().equalsIgnoreCase("Basic")) {
        return false;
      }
    }
    return true;
  }

  /** The JDK's {@code conf/net.properties}, where the defaults of those two properties live. */
  private static final class NetProperties {
    static final Properties DEFAULTS = load();

    private static Properties load() {
      Properties p = new Properties();
      Path file = Path.of(System.getProperty("java.home"), "conf", "net.properties");
      try (InputStream in = Files.newInputStream(file)) {
        p.load(in);
      } catch (IOException | RuntimeException e) {
        p.setProperty(TUNNELING, "Basic"); // the JDK's shipped default
      }
      return p;
    }
  }
}
