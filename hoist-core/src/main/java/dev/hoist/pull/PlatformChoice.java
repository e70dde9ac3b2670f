package dev.hoist.pull;

import dev.hoist.image.Descriptor;
import dev.hoist.image.ImageIndex;
import dev.hoist.image.InvalidManifestException;
import dev.hoist.image.MediaTypes;
import dev.hoist.platform.PlatformMatcher;
import java.util.Optional;

/**
 * Picks the entry of an index to pull: the best match for the platform, as containerd ranks them
 * (see {@link PlatformMatcher}); among equals, the first. Entries of unknown media types are
 * skipped, as the OCI spec requires; entries without a platform are taken only when nothing
 * better matches (moby accepts them).
 */
final class PlatformChoice {
  private PlatformChoice() {}

  static Descriptor choose(ImageIndex index, PlatformMatcher matcher, String requested)
      throws InvalidManifestException {
    Descriptor best = null;
    int bestRank = Integer.MAX_VALUE;
    for (Descriptor d : index.manifests()) {
      if (!MediaTypes.isImageManifest(d.mediaType()) && !MediaTypes.isIndex(d.mediaType())) {
        continue;
      }
      int rank = d.platform() == null ? Integer.MAX_VALUE - 1 : matcher.rank(d.platform());
      if (rank >= 0 && rank < bestRank) {
        best = d;
        bestRank = rank;
      }
    }
    return Optional.ofNullable(best)
        .orElseThrow(() -> new InvalidManifestException(
            "no matching manifest for " + requested + " in the manifest list entries"));
  }
}
