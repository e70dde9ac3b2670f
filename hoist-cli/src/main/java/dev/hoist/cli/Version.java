package dev.hoist.cli;

import picocli.CommandLine.IVersionProvider;

/** {@code hoist --version}: the version from the jar's manifest. */
final class Version implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = Version.class.getPackage().getImplementationVersion();
    return new String[] {"hoist " + (v == null ? "(development build)" : v)};
  }
}
