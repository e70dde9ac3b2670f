package dev.hoist.registry;

import java.util.Locale;

/**
 * Whether a token realm belongs to the registry that named it: the same host, or the same site
 * (the last two labels of a DNS name: {@code registry-1.docker.io} and {@code auth.docker.io}).
 * IP addresses must match exactly. Credentials for a registry are sent to its realm only then.
 */
final class RealmHosts {
  private RealmHosts() {}

  static boolean sameSite(String registryHostAndPort, String realmHost) {
    if (realmHost == null) {
      return false;
    }
    String registry = hostOnly(registryHostAndPort).toLowerCase(Locale.ROOT);
    String realm = stripBrackets(realmHost).toLowerCase(Locale.ROOT);
    if (registry.equals(realm)) {
      return true;
    }
    if (isIpLiteral(registry) || isIpLiteral(realm)) {
      return false;
    }
    String site = site(registry);
    return site.contains(".") && (realm.equals(site) || realm.endsWith("." + site));
  }

  private static String site(String host) {
    String[] labels = host.split("\\.");
    return labels.length <= 2 ? host : labels[labels.length - 2] + "." + labels[labels.length - 1];
  }

  private static boolean isIpLiteral(String host) {
    return host.contains(":") || host.matches("[0-9.]+");
  }

  private static String hostOnly(String hostAndPort) {
    if (hostAndPort.startsWith("[")) {
      return stripBrackets(hostAndPort.substring(0, hostAndPort.indexOf(']') + 1));
    }
    int colon = hostAndPort.lastIndexOf(':');
    return colon < 0 ? hostAndPort : hostAndPort.substring(0, colon);
  }

  private static String stripBrackets(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }
}
