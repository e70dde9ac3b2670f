package dev.hoist.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Locale;

/**
 * This machine's host name and the address it resolves to, for tests that need a registry hoist
 * must not treat as loopback: docker (and hoist) treat {@code localhost} and loopback addresses as
 * insecure (so TLS would go unverified) and Go's proxy rules never proxy them, but a name is judged
 * by its spelling, never by what it resolves to. Debian's {@code /etc/hosts} maps the host name to
 * {@code 127.0.1.1}, containers map it to their own address: either way a server can listen there
 * and {@code tinyproxy}, which resolves names itself, reaches it too.
 */
public record MachineName(String name, String address) {
  private static final String LABEL = "[a-z0-9]([a-z0-9-]*[a-z0-9])?";

  /** The host name, and a local IPv4 address it resolves to; fails saying why when it cannot. */
  public static MachineName find() throws IOException {
    String name = InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
    if (name.equals("localhost") || !name.matches(LABEL + "(\\." + LABEL + ")*") || name.matches("[0-9.]+")) {
      throw new IOException("these tests need a host name other than localhost that resolves to this"
          + " machine (as /etc/hosts makes it on Debian); this machine's is '" + name + "'");
    }
    for (InetAddress address : InetAddress.getAllByName(name)) {
      if (address.getAddress().length != 4) {
        continue;
      }
      try (ServerSocket probe = new ServerSocket(0, 1, address)) {
        return new MachineName(name, address.getHostAddress());
      } catch (IOException e) {
        // Not an address of this machine; try the next.
      }
    }
    throw new IOException("these tests need the host name '" + name + "' to resolve to an IPv4"
        + " address of this machine (as /etc/hosts makes it on Debian)");
  }
}
