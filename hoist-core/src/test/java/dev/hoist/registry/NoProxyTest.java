package dev.hoist.registry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Go's own table for {@code NO_PROXY} ({@code golang.org/x/net/http/httpproxy}, proxy_test.go
 * {@code TestUseProxy}, {@code TestAllNoProxy}, {@code TestInvalidNoProxy}), every host asked for
 * on port 80; "proxied" is Go's {@code useProxy} result.
 */
class NoProxyTest {
  private static final NoProxy GO = NoProxy.parse(
      "foobar.com, .barbaz.net, *.wildcard.io, 192.168.1.1, 192.168.1.2:81, 192.168.1.3:80,"
          + " 10.0.0.0/30, 2001:db8::52:0:1, [2001:db8::52:0:2]:443, [2001:db8::52:0:3]:80,"
          + " 2002:db8:a::45/64");

  @ParameterizedTest(name = "{0} proxied: {1}")
  @CsvSource({
    // Never proxy localhost:
    "localhost, false",
    "127.0.0.1, false",
    "127.0.0.2, false",
    "[::1], false",
    "[::2], true",
    "192.168.1.1, false",
    "192.168.1.2, true",
    "192.168.1.3, false",
    "192.168.1.4, true",
    "10.0.0.2, false",
    "[2001:db8::52:0:1], false",
    "[2001:db8::52:0:2], true",
    "[2001:db8::52:0:3], false",
    "[2002:db8:a::123], false",
    "[fe80::424b:c8be:1643:a1b6], true",
    "barbaz.net, true",
    "www.barbaz.net, false",
    "foobar.com, false",
    "www.foobar.com, false",
    "foofoobar.com, true",
    "baz.com, true",
    "localhost.net, true",
    "local.localhost, true",
    "barbarbaz.net, true",
    "wildcard.io, true",
    "nested.wildcard.io, false",
    "awildcard.io, true",
  })
  void followsGosTable(String host, boolean proxied) {
    assertThat(!GO.bypasses(host, 80)).isEqualTo(proxied);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"localhost", "127.0.0.1", "[::2]", "www.barbaz.net", "foofoobar.com", "192.168.1.4"})
  void anAsteriskExemptsEveryHost(String host) {
    assertThat(NoProxy.parse("*").bypasses(host, 80)).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"':1'", "':'", "',,'", "'  ,  '"})
  void malformedEntriesAreIgnored(String list) {
    assertThat(NoProxy.parse(list).bypasses("example.com", 80)).isFalse();
  }

  @ParameterizedTest(name = "{0} on {1}: direct {2}")
  @CsvSource({
    "registry.corp, 5000, true",
    "registry.corp, 443, false",
    "a.registry.corp, 5000, true",
    "Registry.CORP, 5000, true",
  })
  void aPortRestrictsADomainEntry(String host, int port, boolean direct) {
    assertThat(NoProxy.parse("registry.corp:5000").bypasses(host, port)).isEqualTo(direct);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"www.示例.com", "www.xn--fsq092h.com"})
  void internationalNamesMatchInTheirAsciiForm(String host) {
    assertThat(NoProxy.parse(".示例.com").bypasses(host, 80)).isTrue();
    assertThat(NoProxy.parse("xn--fsq092h.com").bypasses(host, 80)).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"example.com, false", "10.1.2.3, true", "[::ffff:10.1.2.3], true", "10.2.0.1, false"})
  void aCidrMatchesLiteralAddressesButNeverNames(String host, boolean direct) {
    assertThat(NoProxy.parse("10.1.0.0/16, 93.184.216.0/24").bypasses(host, 80)).isEqualTo(direct);
  }
}
