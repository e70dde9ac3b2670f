package dev.hoist.unpack;

import dev.hoist.image.Descriptor;
import dev.hoist.image.Digest;
import dev.hoist.image.ImageConfig;
import dev.hoist.image.ImageManifest;
import dev.hoist.image.InvalidManifestException;
import dev.hoist.image.Manifest;
import dev.hoist.image.Manifests;
import dev.hoist.reference.ImageReference;
import dev.hoist.store.OciStore;
import dev.hoist.store.StoreLease;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Unpacks an image already in the store into a root filesystem directory: every layer in order,
 * each decompressed once with its DiffID checked on the same stream, the tree built in a hidden
 * sibling and renamed into place only when complete (see {@link RootfsWriter}). Thread-safe.
 */
public final class Unpacker {

  private final OciStore store;

  public Unpacker(OciStore store) {
    this.store = store;
  }

  /** Receives each layer's extraction progress, in compressed bytes read. */
  public interface Progress {
    Progress NONE = (layer, current) -> {};

    void extracting(Descriptor layer, long current);
  }

  /**
   * Unpacks the image {@code reference} names in the store into {@code target}.
   *
   * @throws IOException "No such image: …" when the store does not hold it, an
   *     {@code UnsafeLayerException} for a layer that would write outside the target, a DiffID
   *     mismatch for a layer that is not what the config says; the target is left untouched
   */
  public Path unpack(
      ImageReference reference, Path target, UnpackOptions options, Progress progress,
      Consumer<String> notes) throws IOException {
    try (StoreLease lease = store.lease()) { // no collection deletes the blobs meanwhile
      return unpackLeased(reference, target, options, progress, notes);
    }
  }

  private Path unpackLeased(
      ImageReference reference, Path target, UnpackOptions options, Progress progress,
      Consumer<String> notes) throws IOException {
    ImageReference ref = reference.withDefaultTag();
    Descriptor image = store.resolve(ref.toString())
        .orElseThrow(() -> new IOException("No such image: " + reference.familiarString()));
    Manifest manifest =
        Manifests.parseStored(store.read(image.digest(), Manifests.MAX_BYTES), image.mediaType());
    if (!(manifest instanceof ImageManifest imageManifest)) {
      throw new InvalidManifestException(
          reference.familiarString() + " names an index, not an image: pull it for one platform first");
    }
    List<Digest> diffIds = ImageConfig.parse(
        store.read(imageManifest.config().digest(), ImageConfig.MAX_BYTES)).diffIds();
    if (diffIds.size() != imageManifest.layers().size()) {
      throw new InvalidManifestException("layers from manifest don't match image configuration");
    }
    try (RootfsWriter rootfs = RootfsWriter.create(target, options, notes)) {
      for (int i = 0; i < diffIds.size(); i++) {
        Descriptor layer = imageManifest.layers().get(i);
        try (InputStream blob = store.open(layer.digest())) {
          rootfs.apply(layer, diffIds.get(i), blob, current -> progress.extracting(layer, current));
        }
      }
      rootfs.publish();
      return rootfs.target();
    }
  }
}
