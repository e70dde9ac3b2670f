package dev.hoist.image;

/** A parsed manifest: an {@link ImageManifest} for one platform or an {@link ImageIndex}. */
public sealed interface Manifest permits ImageManifest, ImageIndex {
  /** The media type this manifest was parsed as. */
  String mediaType();
}
