package dev.hoist.hosts;

import java.util.Locale;

/**
 * What an {@link Endpoint} may be asked to do, in containerd's words ({@code capabilities} in
 * {@code hosts.toml}). Resolving a tag to a digest is trusted: a public mirror should only pull.
 */
public enum Capability {
  /** Fetch content by digest: blobs, and manifests whose digest is already known. */
  PULL,
  /** Turn a tag into a manifest (and its digest), and list tags. */
  RESOLVE,
  /** Accepted in configuration files for containerd's sake; hoist never pushes. */
  PUSH;

  /** The name as written in {@code hosts.toml}: {@code pull}, {@code resolve}, {@code push}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
