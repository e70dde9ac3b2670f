package dev.hoist.registry;

import dev.hoist.config.HoistSettings;
import dev.hoist.internal.net.ProxyUrl;
import java.util.Map;
import java.util.Objects;

/**
 * Which HTTP proxies hoist uses, as Go's {@code httpproxy.Config} (and so docker) holds them: the
 * proxy for {@code http} requests, the proxy for {@code https} requests (each a URL such as {@code
 * http://proxy:3128} or {@code http://user:password@proxy:3128}, or just {@code host[:port]}; empty
 * for none) and the {@code NO_PROXY} list of hosts to reach directly: comma-separated {@code *},
 * domain names (which match their subdomains; a leading {@code .} or {@code *.} matches only
 * subdomains), IP addresses, CIDR ranges, each optionally with {@code :port}. As in Go, {@code
 * localhost} and loopback addresses are never proxied.
 *
 * <p>Only {@code http://} proxies can be used (the JDK's HTTP client speaks neither TLS nor SOCKS to
 * a proxy); a request that would need another kind fails, naming it. Immutable; {@link #toString()}
 * hides passwords.
 */
public record ProxySettings(String httpProxy, String httpsProxy, String noProxy) {
  /** No proxy at all. */
  public static final ProxySettings NONE = new ProxySettings("", "", "");

  public ProxySettings {
    httpProxy = Objects.requireNonNullElse(httpProxy, "").trim();
    httpsProxy = Objects.requireNonNullElse(httpsProxy, "").trim();
    noProxy = Objects.requireNonNullElse(noProxy, "");
  }

  /**
   * {@code HTTP_PROXY}, {@code HTTPS_PROXY} and {@code NO_PROXY} of this process's environment, or
   * their lower-case spellings when those are unset or empty (Go's {@code FromEnvironment}).
   */
  public static ProxySettings fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  /** Like {@link #fromEnvironment()}, from the given variables. */
  public static ProxySettings fromEnvironment(Map<String, String> env) {
    return new ProxySettings(
        either(env, "HTTP_PROXY", "http_proxy"),
        either(env, "HTTPS_PROXY", "https_proxy"),
        either(env, "NO_PROXY", "no_proxy"));
  }

  private static String either(Map<String, String> env, String upper, String lower) {
    String value = env.get(upper);
    return value == null || value.isEmpty() ? env.getOrDefault(lower, "") : value;
  }

  /** Whether no proxy is set for either scheme. */
  /** A configuration file's {@code proxies}; they replace the environment's, as in docker. */
  public static ProxySettings of(HoistSettings.Proxies proxies) {
    return new ProxySettings(proxies.httpProxy().orElse(""), proxies.httpsProxy().orElse(""),
        proxies.noProxy().orElse(""));
  }

  public boolean isEmpty() {
    return httpProxy.isEmpty() && httpsProxy.isEmpty();
  }

  @Override
  public String toString() {
    return "ProxySettings[httpProxy=" + ProxyUrl.redact(httpProxy) + ", httpsProxy="
        + ProxyUrl.redact(httpsProxy) + ", noProxy=" + noProxy + "]";
  }
}
