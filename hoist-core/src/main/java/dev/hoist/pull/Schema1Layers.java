package dev.hoist.pull;

import dev.hoist.image.Descriptor;
import dev.hoist.image.Digest;
import dev.hoist.image.MediaTypes;
import dev.hoist.image.Schema1Image;
import dev.hoist.reference.ImageReference;
import dev.hoist.registry.RegistryClient;
import dev.hoist.store.OciStore;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * What a schema 1 image needs that a schema 2 image has in its manifest: layer sizes (asked of the
 * registry) and DiffIDs (computed by decompressing each stored layer). Computing DiffIDs reads the
 * stored layers a second time; that cost is confined to this deprecated format.
 */
final class Schema1Layers {
  private final RegistryClient client;
  private final OciStore store;

  Schema1Layers(RegistryClient client, OciStore store) {
    this.client = client;
    this.store = store;
  }

  static String deprecationMessage(ImageReference ref) {
    return "Docker Image Format v1 and Docker Image manifest version 2, schema 1 support has been"
        + " removed. Suggest the author of " + ref + " to upgrade the image to the OCI Format or"
        + " Docker Image manifest v2, schema 2. More information at"
        + " https://docs.docker.com/go/deprecated-image-specs/";
  }

  /** The layers as descriptors, base first, with sizes from the registry or the store. */
  List<Descriptor> describe(ImageReference ref, Schema1Image image) throws IOException {
    List<Descriptor> layers = new ArrayList<>();
    for (Digest digest : image.layers()) {
      long size = store.contains(digest) ? store.size(digest) : client.blobSize(ref, digest);
      layers.add(Descriptor.of(MediaTypes.DOCKER_LAYER, digest, size));
    }
    return layers;
  }

  /** The DiffID of each stored layer: the digest of its uncompressed tar. */
  List<Digest> diffIds(List<Descriptor> layers) throws IOException {
    List<Digest> diffIds = new ArrayList<>();
    byte[] buffer = new byte[1 << 16];
    for (Descriptor layer : layers) {
      MessageDigest sha256 = Digest.newSha256();
      try (InputStream in = new GZIPInputStream(store.open(layer.digest()), 1 << 16)) {
        int n;
        while ((n = in.read(buffer)) > 0) {
          sha256.update(buffer, 0, n);
        }
      }
      diffIds.add(Digest.of("sha256", sha256.digest()));
    }
    return diffIds;
  }
}
