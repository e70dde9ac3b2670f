package dev.hoist.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hoist.internal.net.ProxyUrl;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which proxy a request takes, as Go's {@code httpproxy.ProxyFunc} decides (its proxy_test.go table). */
class ProxyRulesTest {
  private static String proxyFor(String http, String https, String noProxy, String url) {
    return new ProxyRules(new ProxySettings(http, https, noProxy))
        .proxyFor(URI.create(url))
        .map(ProxyUrl::toString)
        .orElse("<nil>");
  }

  @ParameterizedTest(name = "http={0} https={1} no={2} {3} -> {4}")
  @CsvSource({
    "127.0.0.1:8080, '', '', http://example.com, http://127.0.0.1:8080",
    "cache.corp.example.com:1234, '', '', http://example.com, http://cache.corp.example.com:1234",
    "cache.corp.example.com, '', '', http://example.com, http://cache.corp.example.com:80",
    "localhost, '', '', http://example.com, http://localhost:80",
    "http://127.0.0.1:8080, '', '', http://example.com, http://127.0.0.1:8080",
    "http.proxy.tld, secure.proxy.tld, '', http://insecure.tld/, http://http.proxy.tld:80",
    "http.proxy.tld, secure.proxy.tld, '', https://secure.tld/, http://secure.proxy.tld:80",
    "http.proxy.tld, '', '', https://secure.tld/, <nil>",
    "http.proxy.tld, '', '', ftp://insecure.tld/, <nil>",
    "'', '', '', http://example.com, <nil>",
    "proxy, '', example.com, http://example.com/, <nil>",
    "proxy, '', .example.com, http://example.com/, http://proxy:80",
    "proxy, '', ample.com, http://example.com/, http://proxy:80",
    "proxy, '', example.com, http://foo.example.com/, <nil>",
    "proxy, '', .foo.com, http://example.com/, http://proxy:80",
    "proxy, proxy, '', http://localhost:5000/v2/, <nil>",
    "proxy, proxy, '', https://127.0.0.1:5000/v2/, <nil>",
    "proxy, proxy, '', https://[::1]:5000/v2/, <nil>",
    "proxy, proxy, 'reg.corp:5000', https://reg.corp:5000/v2/, <nil>",
    "proxy, proxy, 'reg.corp:5000', https://reg.corp/v2/, http://proxy:80",
    "proxy, proxy, 'reg.corp:443', https://reg.corp/v2/, <nil>",
  })
  void choosesTheProxyAsGoDoes(String http, String https, String noProxy, String url, String want) {
    assertThat(proxyFor(http, https, noProxy, url)).isEqualTo(want);
  }

  @Test
  void selectsAnHttpProxyForTheJdkClient() {
    ProxyRules rules = new ProxyRules(new ProxySettings("", "http://proxy.corp:3128", ""));
    assertThat(rules.select(URI.create("https://registry.corp/v2/")))
        .containsExactly(new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved("proxy.corp", 3128)));
    assertThat(rules.select(URI.create("http://registry.corp/v2/"))).containsExactly(Proxy.NO_PROXY);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"https://proxy.corp:3128", "socks5://proxy.corp:1080", "socks5h://proxy.corp"})
  void proxiesOtherThanHttpAreRefusedWhenARequestNeedsThem(String setting) {
    ProxyRules rules = new ProxyRules(new ProxySettings(setting, setting, "direct.corp"));
    assertThat(rules.refusal(URI.create("https://registry.corp/v2/")))
        .hasValueSatisfying(m -> assertThat(m).contains("hoist speaks only to http:// proxies"));
    assertThat(rules.refusal(URI.create("https://direct.corp/v2/"))).isEmpty();
  }

  @Test
  void credentialsBecomeABasicHeaderAndNeverAppearInText() {
    ProxySettings settings = new ProxySettings("http://alice:s%40cret@proxy.corp:3128", "", "");
    ProxyRules rules = new ProxyRules(settings);
    assertThat(rules.authorization(URI.create("http://registry.corp/v2/")))
        .hasValue("Basic " + java.util.Base64.getEncoder().encodeToString("alice:s@cret".getBytes()));
    assertThat(rules.authorization(URI.create("http://localhost/v2/"))).isEmpty();
    assertThat(settings.toString()).doesNotContain("s%40cret").contains("alice:xxxxx@proxy.corp:3128");
    assertThat(rules.proxyFor(URI.create("http://registry.corp/")).orElseThrow().toString())
        .isEqualTo("http://proxy.corp:3128");
    assertThatThrownBy(() -> ProxyUrl.parse("socks5://bob:hunter2@proxy.corp"))
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void readsTheEnvironmentAsGoDoesUpperCaseFirst() {
    assertThat(ProxySettings.fromEnvironment(Map.of(
            "HTTP_PROXY", "httpproxy", "HTTPS_PROXY", "httpsproxy", "NO_PROXY", "noproxy",
            "http_proxy", "lower", "https_proxy", "lower", "no_proxy", "lower")))
        .isEqualTo(new ProxySettings("httpproxy", "httpsproxy", "noproxy"));
    assertThat(ProxySettings.fromEnvironment(Map.of(
            "http_proxy", "httpproxy", "https_proxy", "httpsproxy", "no_proxy", "noproxy", "HTTP_PROXY", "")))
        .isEqualTo(new ProxySettings("httpproxy", "httpsproxy", "noproxy"));
    assertThat(ProxySettings.fromEnvironment(Map.of())).isEqualTo(ProxySettings.NONE);
  }
}
