package dev.hoist.archive;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hoist.image.Descriptor;
import dev.hoist.image.Digest;
import dev.hoist.image.ImageConfig;
import dev.hoist.image.ImageManifest;
import dev.hoist.image.LayerCompression;
import dev.hoist.image.MediaTypes;
import dev.hoist.image.OciManifests;
import dev.hoist.internal.json.Json;
import dev.hoist.reference.ImageReference;
import dev.hoist.store.OciStore;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * The images {@code manifest.json} lists ({@code [{"Config": …, "RepoTags": […], "Layers": […]}]}),
 * as every {@code docker save} and skopeo's {@code docker-archive:} write them. An image that
 * {@code index.json} already brought in (same config) only gains the names; any other gets an OCI
 * manifest built for it: the config byte for byte (so the image ID is docker's), each layer as
 * stored in the archive, an uncompressed one as {@code application/vnd.oci.image.layer.v1.tar}
 * whose digest is its DiffID.
 */
final class LegacyImages {
  private static final long MAX_MANIFEST_JSON_BYTES = 16L << 20;

  private final OciStore store;
  private final ArchiveEntries entries;
  private final BlobCopy copy;
  private final LoadListener listener;
  private final LoadedImages images;

  LegacyImages(OciStore store, ArchiveEntries entries, BlobCopy copy, LoadListener listener,
      LoadedImages images) {
    this.store = store;
    this.entries = entries;
    this.copy = copy;
    this.listener = listener;
    this.images = images;
  }

  /** One item of {@code manifest.json}, its paths already checked to stay inside the archive. */
  record Item(String config, List<String> repoTags, List<String> layers) {}

  void load() throws IOException {
    List<Item> items = parse(entries.read("manifest.json", "manifest.json", MAX_MANIFEST_JSON_BYTES));
    for (int i = 0; i < items.size(); i++) {
      load(items.get(i), "manifest.json image " + (i + 1));
    }
  }

  private void load(Item item, String what) throws IOException {
    byte[] configBytes = entries.read(item.config(), what, ImageConfig.MAX_BYTES);
    Digest imageId = Digest.sha256(configBytes);
    List<ImageReference> names = new ArrayList<>();
    for (String tag : item.repoTags()) {
      ImageReference ref = ArchiveLoad.parseName(tag, what);
      if (ref.tag().isEmpty() || ref.digest().isPresent()) {
        throw new InvalidArchiveException(what + ": invalid tag \"" + tag + "\"");
      }
      names.add(ref);
    }
    Optional<LoadedImages.Image> known = images.byId(imageId);
    if (known.isPresent()) {
      known.get().names.addAll(names);
      return;
    }
    ImageConfig config = ArchiveLoad.parseConfig(configBytes, what);
    if (item.layers().size() != config.diffIds().size()) {
      throw new InvalidArchiveException(what + ": invalid manifest, layers length mismatch: expected "
          + item.layers().size() + ", got " + config.diffIds().size());
    }
    List<Descriptor> layers = new ArrayList<>();
    for (int i = 0; i < item.layers().size(); i++) {
      layers.add(loadLayer(item.layers().get(i), config.diffIds().get(i), "layer " + (i + 1) + " of " + what));
    }
    Descriptor configDescriptor = Descriptor.of(MediaTypes.OCI_CONFIG, imageId, configBytes.length);
    store.write(configDescriptor, configBytes);
    byte[] manifest = OciManifests.toOci(
        new ImageManifest(MediaTypes.OCI_MANIFEST, configDescriptor, layers, Map.of(), ""));
    Descriptor target = Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.sha256(manifest), manifest.length);
    store.write(target, manifest);
    images.add(target, target.digest(), config, imageId).names.addAll(names);
  }

  private Descriptor loadLayer(String path, Digest diffId, String what) throws IOException {
    TarArchiveEntry entry = entries.require(path, what);
    LayerCompression compression = CompressionSniffer.sniff(entries.open(entry), what);
    Digest digest = compression == LayerCompression.NONE ? diffId : compressedDigest(path, entry);
    Descriptor layer = Descriptor.of(compression.ociMediaType(), digest, entry.getSize());
    if (copy.copy(layer, path, what, Optional.of(new BlobCopy.Layer(compression, diffId)))) {
      listener.layerLoaded(diffId, entry.getSize());
    }
    return layer;
  }

  /**
   * The digest of a compressed layer: named by its path in docker 25+ archives
   * ({@code blobs/sha256/<hex>}, checked as it is copied), else hashed in a first read.
   */
  private Digest compressedDigest(String path, TarArchiveEntry entry) throws IOException {
    String[] parts = path.split("/");
    if (parts.length == 3 && parts[0].equals("blobs")) {
      try {
        return Digest.parse(parts[1] + ":" + parts[2]);
      } catch (IllegalArgumentException e) {
        // Not a digest path: hash it.
      }
    }
    MessageDigest hasher = Digest.newSha256();
    try (InputStream in = entries.open(entry)) {
      byte[] buffer = new byte[1 << 16];
      int n;
      while ((n = in.read(buffer)) > 0) {
        hasher.update(buffer, 0, n);
      }
    }
    return Digest.of("sha256", hasher.digest());
  }

  /** Parses {@code manifest.json}, refusing missing or unsafe paths before anything is read. */
  static List<Item> parse(byte[] bytes) throws InvalidArchiveException {
    JsonNode root;
    try {
      root = Json.mapper().readTree(bytes);
    } catch (IOException e) {
      throw new InvalidArchiveException("manifest.json is not valid JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isArray()) {
      throw new InvalidArchiveException("invalid manifest.json: it must be a list of images");
    }
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < root.size(); i++) {
      String what = "manifest.json image " + (i + 1);
      JsonNode node = root.get(i);
      String config = ArchiveEntries.safe(text(node.path("Config")), what + " (Config)");
      List<String> layers = new ArrayList<>();
      JsonNode layerNodes = node.path("Layers");
      if (!layerNodes.isArray()) {
        throw new InvalidArchiveException(what + " has no Layers list");
      }
      for (int l = 0; l < layerNodes.size(); l++) {
        layers.add(ArchiveEntries.safe(text(layerNodes.get(l)), what + " (layer " + (l + 1) + ")"));
      }
      List<String> tags = new ArrayList<>();
      node.path("RepoTags").forEach(t -> tags.add(t.asText()));
      items.add(new Item(config, List.copyOf(tags), List.copyOf(layers)));
    }
    return items;
  }

  private static String text(JsonNode node) {
    return node.isTextual() ? node.asText() : null;
  }
}
