package dev.hoist.archive;

import dev.hoist.image.Descriptor;
import dev.hoist.image.Digest;
import dev.hoist.image.ImageConfig;
import dev.hoist.platform.Platform;
import dev.hoist.reference.ImageReference;
import dev.hoist.store.ImageRefs;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The images a load has stored so far, in archive order, each with every name the archive gives it
 * ({@code index.json} and {@code manifest.json} may both name one image). Nothing is tagged until
 * the whole archive is in the store.
 */
final class LoadedImages {
  /** One image whose blobs are all committed: the descriptor to tag, its ID and its names. */
  static final class Image {
    final Descriptor target;
    final Digest imageId;
    final Set<ImageReference> names = new LinkedHashSet<>();

    Image(Descriptor target, Digest imageId) {
      this.target = target;
      this.imageId = imageId;
    }
  }

  private final Map<Digest, Image> byManifest = new LinkedHashMap<>();

  /**
   * Records an image stored under its OCI manifest {@code manifest} (whose size and digest make
   * {@code target}); {@code resolved} is the digest that named it in the archive.
   */
  Image add(Descriptor manifest, Digest resolved, ImageConfig config, Digest imageId) {
    Platform platform = config.platform();
    Descriptor target = new Descriptor(manifest.mediaType(), manifest.digest(), manifest.size(),
        List.of(), Map.of(ImageRefs.RESOLVED_DIGEST, resolved.toString()),
        platform.os().isEmpty() ? null : platform);
    return byManifest.computeIfAbsent(manifest.digest(), k -> new Image(target, imageId));
  }

  /** The image stored under that OCI manifest, if this load stored it already. */
  Optional<Image> byManifest(Digest manifest) {
    return Optional.ofNullable(byManifest.get(manifest));
  }

  /** An image with that ID (config digest), if this load stored one. */
  Optional<Image> byId(Digest imageId) {
    return byManifest.values().stream().filter(i -> i.imageId.equals(imageId)).findFirst();
  }

  Collection<Image> all() {
    return byManifest.values();
  }
}
