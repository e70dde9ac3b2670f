package dev.hoist.archive;

import dev.hoist.image.Descriptor;
import dev.hoist.image.Digest;
import dev.hoist.image.DigestMismatchException;
import dev.hoist.image.ImageConfig;
import dev.hoist.image.ImageIndex;
import dev.hoist.image.ImageManifest;
import dev.hoist.image.LayerCompression;
import dev.hoist.image.InvalidManifestException;
import dev.hoist.image.Manifest;
import dev.hoist.image.Manifests;
import dev.hoist.image.MediaTypes;
import dev.hoist.image.OciManifests;
import dev.hoist.platform.Platform;
import dev.hoist.platform.PlatformMatcher;
import dev.hoist.reference.ImageReference;
import dev.hoist.store.ImageRefs;
import dev.hoist.store.OciStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Copies the images of one archive into the store: first those {@code index.json} names (OCI
 * layout tars, and docker 25+ archives), each manifest, config and layer copied byte for byte;
 * then the {@code manifest.json} images not among them ({@link LegacyImages}). Every blob is
 * verified on the way in; nothing is tagged here.
 */
final class ArchiveLoad {
  static final long MAX_INDEX_BYTES = 16L << 20;
  private static final int MAX_INDEX_DEPTH = 4;
  private static final String CONTAINERD_NAME = "io.containerd.image.name";

  private final OciStore store;
  private final ArchiveEntries entries;
  private final BlobCopy copy;
  private final LoadListener listener;
  private final LoadedImages images = new LoadedImages();

  ArchiveLoad(OciStore store, ArchiveEntries entries, LoadListener listener) {
    this.store = store;
    this.entries = entries;
    this.copy = new BlobCopy(store, entries);
    this.listener = listener;
  }

  /** Stores every image of the archive; returns them with their names, untagged as yet. */
  LoadedImages run() throws IOException {
    boolean index = entries.contains("index.json");
    boolean manifest = entries.contains("manifest.json");
    if (!index && !manifest) {
      throw new InvalidArchiveException(
          "the archive has neither manifest.json nor index.json: it is not an image archive");
    }
    if (index) {
      loadIndex();
    }
    if (manifest) {
      new LegacyImages(store, entries, copy, listener, images).load();
    }
    return images;
  }

  private void loadIndex() throws IOException {
    byte[] bytes = entries.read("index.json", "index.json", MAX_INDEX_BYTES);
    ImageIndex index;
    try {
      index = (ImageIndex) Manifests.parse(bytes, MediaTypes.OCI_INDEX);
    } catch (InvalidManifestException e) {
      throw new InvalidArchiveException("index.json is not an OCI image index: " + e.getMessage(), e);
    }
    for (int i = 0; i < index.manifests().size(); i++) {
      Descriptor entry = index.manifests().get(i);
      String what = "index.json entry " + (i + 1);
      Optional<ImageReference> name = name(entry.annotations(), what);
      LoadedImages.Image image = loadEntry(entry, what, entry.digest(), 0);
      name.ifPresent(image.names::add);
    }
  }

  /** An entry of an index: an image manifest, or an index to pick this machine's image from. */
  private LoadedImages.Image loadEntry(Descriptor entry, String what, Digest resolved, int depth)
      throws IOException {
    if (MediaTypes.isIndex(entry.mediaType())) {
      if (depth == MAX_INDEX_DEPTH) {
        throw new InvalidArchiveException(what + " nests indexes more than " + MAX_INDEX_DEPTH + " deep");
      }
      byte[] bytes = readBlob(entry, what, Manifests.MAX_BYTES);
      ImageIndex index = (ImageIndex) Manifests.parse(bytes, entry.mediaType());
      Descriptor chosen = choosePlatform(index, what);
      LoadedImages.Image image = loadEntry(chosen, what + " (" + chosen.digest() + ")", resolved, depth + 1);
      store.write(Descriptor.of(entry.mediaType(), entry.digest(), entry.size()), bytes); // parents last
      return image;
    }
    if (!MediaTypes.isImageManifest(entry.mediaType())) {
      throw new InvalidArchiveException(what + " has media type " + entry.mediaType()
          + ", not an image manifest or index");
    }
    Optional<LoadedImages.Image> known = images.byManifest(entry.digest());
    if (known.isPresent()) {
      return known.get();
    }
    byte[] bytes = readBlob(entry, what, Manifests.MAX_BYTES);
    ImageManifest manifest = (ImageManifest) Manifests.parse(bytes, entry.mediaType());
    return loadImage(entry, bytes, manifest, what, resolved);
  }

  private LoadedImages.Image loadImage(
      Descriptor entry, byte[] bytes, ImageManifest manifest, String what, Digest resolved)
      throws IOException {
    Descriptor configDescriptor = manifest.config();
    if (!MediaTypes.isImageConfig(configDescriptor.mediaType())) {
      throw new InvalidArchiveException(what + " is not an image: its config has media type "
          + configDescriptor.mediaType());
    }
    byte[] configBytes = readBlob(configDescriptor, "the config of " + what, ImageConfig.MAX_BYTES);
    ImageConfig config = parseConfig(configBytes, what);
    if (config.diffIds().size() != manifest.layers().size()) {
      throw new InvalidArchiveException(what + ": invalid manifest, layers length mismatch: expected "
          + manifest.layers().size() + ", got " + config.diffIds().size());
    }
    for (int i = 0; i < manifest.layers().size(); i++) {
      Descriptor layer = manifest.layers().get(i);
      String layerWhat = "layer " + (i + 1) + " of " + what;
      LayerCompression compression = LayerCompression.ofMediaType(layer.mediaType()).orElseThrow(() ->
          new InvalidArchiveException(layerWhat + " has media type " + layer.mediaType()
              + ", which is not a layer hoist can load"));
      Digest diffId = config.diffIds().get(i);
      if (copy.copy(layer, blobPath(layer.digest()), layerWhat,
          Optional.of(new BlobCopy.Layer(compression, diffId)))) {
        listener.layerLoaded(diffId, layer.size());
      }
    }
    store.write(configDescriptor, configBytes);
    store.write(Descriptor.of(entry.mediaType(), entry.digest(), entry.size()), bytes);
    Descriptor target = Descriptor.of(MediaTypes.OCI_MANIFEST, entry.digest(), entry.size());
    if (!MediaTypes.OCI_MANIFEST.equals(manifest.mediaType())) {
      byte[] oci = OciManifests.toOci(manifest); // what OCI tools need index.json to name
      target = Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.sha256(oci), oci.length);
      store.write(target, oci);
    }
    return images.add(target, resolved, config, configDescriptor.digest());
  }

  /** The best entry for this machine among those whose manifest the archive holds. */
  private Descriptor choosePlatform(ImageIndex index, String what) throws InvalidArchiveException {
    PlatformMatcher host = PlatformMatcher.forHost();
    return index.manifests().stream()
        .filter(d -> MediaTypes.isImageManifest(d.mediaType()) || MediaTypes.isIndex(d.mediaType()))
        .filter(d -> d.platform() == null || host.matches(d.platform()))
        .filter(d -> entries.contains(blobPath(d.digest())))
        .min(Comparator.comparingInt(d -> d.platform() == null ? Integer.MAX_VALUE : host.rank(d.platform())))
        .orElseThrow(() -> new InvalidArchiveException(what + " holds no image for this platform ("
            + host.target() + ")"));
  }

  /** Reads a small blob named by a descriptor, verified against its size and digest. */
  byte[] readBlob(Descriptor d, String what, long max) throws IOException {
    String path = blobPath(d.digest());
    if (d.size() > max) {
      throw new InvalidArchiveException(what + " is " + d.size() + " bytes, more than " + max);
    }
    byte[] bytes = entries.read(path, what, max);
    Digest actual = Digest.of(d.digest().algorithm(), d.digest().newHasher().digest(bytes));
    if (bytes.length != d.size() || !actual.equals(d.digest())) {
      throw new DigestMismatchException("archive entry " + path + " (" + what + "): digest mismatch: got "
          + actual + " (" + bytes.length + " bytes), want " + d.digest() + " (" + d.size() + " bytes)",
          d.digest());
    }
    return bytes;
  }

  static String blobPath(Digest digest) {
    return "blobs/" + digest.algorithm() + "/" + digest.hex();
  }

  /** Parses a config and refuses an image for another operating system, as docker load does. */
  static ImageConfig parseConfig(byte[] bytes, String what) throws IOException {
    ImageConfig config;
    try {
      config = ImageConfig.parse(bytes);
    } catch (InvalidManifestException e) {
      throw new InvalidArchiveException("the config of " + what + ": " + e.getMessage(), e);
    }
    String os = config.platform().os();
    String host = Platform.host().os();
    if (!os.isEmpty() && !os.equals(host)) {
      throw new InvalidArchiveException("cannot load " + os + " image on " + host + " (" + what + ")");
    }
    return config;
  }

  /**
   * The name an index entry gives its image: containerd's {@code io.containerd.image.name} (the
   * full name, as docker writes it), else an {@code org.opencontainers.image.ref.name} that is a
   * reference; a bare tag such as {@code latest} names no repository, so the image stays unnamed.
   */
  static Optional<ImageReference> name(Map<String, String> annotations, String what)
      throws InvalidArchiveException {
    String full = annotations.getOrDefault(CONTAINERD_NAME, "");
    String refName = annotations.getOrDefault(ImageRefs.REF_NAME, "");
    String name = !full.isBlank() ? full : refName;
    if (name.isBlank() || (full.isBlank() && !name.contains("/") && !name.contains(":") && !name.contains("@"))) {
      return Optional.empty();
    }
    return Optional.of(parseName(name, what));
  }

  static ImageReference parseName(String name, String what) throws InvalidArchiveException {
    try {
      ImageReference ref = ImageReference.parse(name);
      return ref.digest().isPresent() ? ref : ref.withDefaultTag();
    } catch (IllegalArgumentException e) {
      throw new InvalidArchiveException(what + " names an invalid reference " + name + ": " + e.getMessage(), e);
    }
  }

  static List<String> strings(Iterable<ImageReference> refs) {
    List<String> names = new ArrayList<>();
    refs.forEach(r -> names.add(r.toString()));
    return names;
  }
}
