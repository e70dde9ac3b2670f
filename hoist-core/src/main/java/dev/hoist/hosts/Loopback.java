package dev.hoist.hosts;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/** Which hosts are this machine: docker treats them as insecure. */
final class Loopback {
  private Loopback() {}

  /** {@code localhost}, 127.0.0.0/8 and ::1, with or without a port; names are never resolved. */
  static boolean is(String hostAndPort) {
    String hostname = stripPort(hostAndPort).toLowerCase(Locale.ROOT);
    if (hostname.equals("localhost")) {
      return true;
    }
    if (!hostname.matches("[0-9.]+") && !hostname.startsWith("[")) {
      return false; // DNS must not decide what is insecure
    }
    try {
      String literal = hostname.startsWith("[") ? hostname.substring(1, hostname.length() - 1) : hostname;
      return InetAddress.getByName(literal).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static String stripPort(String hostAndPort) {
    if (hostAndPort.startsWith("[")) {
      int end = hostAndPort.indexOf(']');
      return end < 0 ? hostAndPort : hostAndPort.substring(0, end + 1);
    }
    int colon = hostAndPort.lastIndexOf(':');
    return colon < 0 ? hostAndPort : hostAndPort.substring(0, colon);
  }
}
