package dev.hoist.registry;

import java.net.IDN;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The {@code NO_PROXY} rules of Go's {@code golang.org/x/net/http/httpproxy}, which docker
 * follows: which hosts are reached directly although a proxy is set. Entries are comma-separated
 * and case-insensitive; a malformed entry is ignored, as Go ignores it.
 *
 * <ul>
 *   <li>{@code *} — every host.
 *   <li>{@code 10.0.0.0/8}, {@code 2001:db8::/32} — addresses in that range (literal addresses only:
 *       names are never resolved to decide).
 *   <li>{@code 192.168.1.1}, {@code 192.168.1.1:80}, {@code [2001:db8::1]:443} — that address, on
 *       any port or that one.
 *   <li>{@code example.com} — that name and its subdomains; {@code .example.com} and {@code
 *       *.example.com} — its subdomains only; each optionally with {@code :port}.
 * </ul>
 *
 * <p>And, whatever the list says, {@code localhost} and loopback addresses are never proxied.
 * Immutable.
 */
final class NoProxy {
  private interface Rule {
    boolean matches(String host, String port, InetAddress ip);
  }

  private final boolean all;
  private final List<Rule> ipRules;
  private final List<Rule> domainRules;

  private NoProxy(boolean all, List<Rule> ipRules, List<Rule> domainRules) {
    this.all = all;
    this.ipRules = List.copyOf(ipRules);
    this.domainRules = List.copyOf(domainRules);
  }

  static NoProxy parse(String list) {
    List<Rule> ipRules = new ArrayList<>();
    List<Rule> domainRules = new ArrayList<>();
    for (String raw : list.split(",")) {
      String entry = raw.trim().toLowerCase(Locale.ROOT);
      if (entry.isEmpty()) {
        continue;
      }
      if (entry.equals("*")) {
        return new NoProxy(true, List.of(), List.of());
      }
      Rule cidr = cidr(entry);
      if (cidr != null) {
        ipRules.add(cidr);
        continue;
      }
      String host = entry;
      String port = "";
      String[] split = splitHostPort(entry);
      if (split != null) {
        host = split[0];
        port = split[1];
        if (host.isEmpty()) {
          continue; // ":80": no host, malformed
        }
      }
      InetAddress ip = ipLiteral(host);
      if (ip != null) {
        String wanted = port;
        ipRules.add((h, p, candidate) -> ip.equals(candidate) && (wanted.isEmpty() || wanted.equals(p)));
        continue;
      }
      if (host.startsWith("*.")) {
        host = host.substring(1);
      }
      boolean matchesItself = !host.startsWith(".");
      String suffix = ascii(matchesItself ? "." + host : host);
      String wanted = port;
      domainRules.add((h, p, candidate) ->
          (h.endsWith(suffix) || (matchesItself && h.equals(suffix.substring(1))))
              && (wanted.isEmpty() || wanted.equals(p)));
    }
    return new NoProxy(false, ipRules, domainRules);
  }

  /**
   * Whether a request to {@code host} (a name or a literal address, IPv6 with or without brackets)
   * on {@code port} goes directly, not through the proxy.
   */
  boolean bypasses(String host, int port) {
    String name = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    name = ascii(name.trim().toLowerCase(Locale.ROOT));
    InetAddress ip = ipLiteral(name);
    if (name.equals("localhost") || (ip != null && ip.isLoopbackAddress())) {
      return true;
    }
    if (all) {
      return true;
    }
    String p = Integer.toString(port);
    if (ip != null) {
      for (Rule rule : ipRules) {
        if (rule.matches(name, p, ip)) {
          return true;
        }
      }
    }
    for (Rule rule : domainRules) {
      if (rule.matches(name, p, ip)) {
        return true;
      }
    }
    return false;
  }

  /** {@code address/bits}, or null when {@code entry} is no CIDR range. */
  private static Rule cidr(String entry) {
    int slash = entry.indexOf('/');
    if (slash < 0) {
      return null;
    }
    InetAddress network = ipLiteral(entry.substring(0, slash));
    String bitsText = entry.substring(slash + 1);
    if (network == null || !bitsText.matches("[0-9]{1,3}")) {
      return null;
    }
    int bits = Integer.parseInt(bitsText);
    byte[] net = network.getAddress();
    if (bits > net.length * 8) {
      return null;
    }
    return (h, p, ip) -> ip != null && sharesPrefix(net, ip.getAddress(), bits);
  }

  private static boolean sharesPrefix(byte[] net, byte[] address, int bits) {
    if (net.length != address.length) {
      return false;
    }
    for (int i = 0; i < bits; i++) {
      int mask = 0x80 >>> (i % 8);
      if ((net[i / 8] & mask) != (address[i / 8] & mask)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Go's {@code net.SplitHostPort}: {@code host:port} or {@code [v6]:port}; null when there is no
   * port (or more than one colon outside brackets, as in a bare IPv6 address).
   */
  private static String[] splitHostPort(String s) {
    if (s.startsWith("[")) {
      int end = s.indexOf(']');
      if (end < 0 || end + 1 >= s.length() || s.charAt(end + 1) != ':') {
        return null;
      }
      return new String[] {s.substring(1, end), s.substring(end + 2)};
    }
    int colon = s.lastIndexOf(':');
    if (colon < 0 || s.indexOf(':') != colon) {
      return null;
    }
    return new String[] {s.substring(0, colon), s.substring(colon + 1)};
  }

  private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]+");

  /**
   * The address {@code s} spells, without ever asking DNS: dotted-quad IPv4 or IPv6 (no zone);
   * null for anything else.
   */
  static InetAddress ipLiteral(String s) {
    boolean v4 = IPV4.matcher(s).matches();
    boolean v6 = s.contains(":") && IPV6.matcher(s).matches();
    if (!v4 && !v6) {
      return null;
    }
    if (v4) {
      for (String part : s.split("\\.")) {
        if (Integer.parseInt(part) > 255 || (part.length() > 1 && part.startsWith("0"))) {
          return null;
        }
      }
    }
    try {
      return InetAddress.getByName(s); // a literal: no lookup
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** {@code name} with its international labels in punycode, as Go's {@code idna.Lookup} gives it. */
  private static String ascii(String name) {
    if (name.chars().allMatch(c -> c < 0x80)) {
      return name;
    }
    String[] labels = name.split("\\.", -1);
    try {
      for (int i = 0; i < labels.length; i++) {
        labels[i] = labels[i].isEmpty() ? "" : IDN.toASCII(labels[i], IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
      }
    } catch (IllegalArgumentException e) {
      return name;
    }
    return String.join(".", labels);
  }
}
