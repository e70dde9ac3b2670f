package dev.hoist.archive;

import dev.hoist.catalog.ImageCatalog;
import dev.hoist.catalog.LocalImage;
import dev.hoist.catalog.NoSuchImageException;
import dev.hoist.image.Descriptor;
import dev.hoist.image.Digest;
import dev.hoist.image.ImageManifest;
import dev.hoist.image.Manifests;
import dev.hoist.reference.ImageReference;
import dev.hoist.store.OciStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The images {@code docker save} arguments name, found as docker finds them ({@code parseNames} in
 * moby's {@code image/tarexport/save.go}): a bare {@code NAME} is every image its repository names,
 * with its tags there; anything else is what {@link ImageCatalog#find} finds ({@code NAME:TAG},
 * {@code NAME@DIGEST}, an image ID or a unique prefix of one), saved under the tag it was named by,
 * if any. An image named twice is saved once, with all its tags.
 */
final class SavedImages {
  // A whole image ID: no reference, but no usage error either when the store lacks it.
  private static final Pattern ID = Pattern.compile("(sha256:)?[a-f0-9]{64}");

  /** One image to save: the OCI manifest the store names, parsed, and the tags to save it under. */
  static final class Image {
    final Descriptor manifest;
    final ImageManifest parsed;
    final Set<ImageReference> tags = new LinkedHashSet<>();

    Image(Descriptor manifest, ImageManifest parsed) {
      this.manifest = manifest;
      this.parsed = parsed;
    }
  }

  private final OciStore store;
  private final ImageCatalog catalog;
  private final Map<Digest, Image> byManifest = new LinkedHashMap<>();
  private List<LocalImage> all; // read once, for the first bare repository name

  private SavedImages(OciStore store) {
    this.store = store;
    this.catalog = new ImageCatalog(store);
  }

  /**
   * Finds every image {@code names} name.
   *
   * @throws NoSuchImageException "No such image: X" for a name the store does not hold
   * @throws IllegalArgumentException for a name that is neither a reference nor an image ID
   */
  static List<Image> select(OciStore store, List<String> names) throws IOException {
    if (names.isEmpty()) {
      throw new IllegalArgumentException("no image to save");
    }
    SavedImages selection = new SavedImages(store);
    for (String name : names) {
      selection.add(name);
    }
    return new ArrayList<>(selection.byManifest.values());
  }

  private void add(String name) throws IOException {
    Optional<ImageReference> ref = reference(name);
    if (ref.isPresent() && isRepository(ref.get()) && addRepository(ref.get())) {
      return;
    }
    Optional<LocalImage> found = catalog.find(name);
    if (found.isEmpty()) {
      if (ref.isEmpty() && !ID.matcher(name).matches()) {
        ImageReference.parse(name); // throws: neither a reference nor an ID, a usage error as in docker
      }
      throw new NoSuchImageException(name);
    }
    LocalImage image = found.get();
    Image saved = image(image);
    // Saved untagged when named by digest or ID, as docker does; a name the catalog matched by
    // ID (a bare "3f2a" is also a repository name) is not one of the image's tags.
    ref.filter(r -> r.digest().isEmpty())
        .map(ImageReference::withDefaultTag)
        .filter(image.tags()::contains)
        .ifPresent(saved.tags::add);
  }

  /** Adds every image {@code repository} names; false when it names none. */
  private boolean addRepository(ImageReference repository) throws IOException {
    boolean found = false;
    for (LocalImage image : all()) {
      List<ImageReference> tags = inRepository(image.tags(), repository);
      if (!tags.isEmpty() || !inRepository(image.digests(), repository).isEmpty()) {
        image(image).tags.addAll(tags);
        found = true;
      }
    }
    return found;
  }

  private Image image(LocalImage image) throws IOException {
    Image known = byManifest.get(image.manifest().digest());
    if (known != null) {
      return known;
    }
    Descriptor manifest = image.manifest();
    // The catalog finds image manifests only.
    ImageManifest parsed = (ImageManifest) Manifests.parseStored(
        store.read(manifest.digest(), Manifests.MAX_BYTES), manifest.mediaType());
    Image saved = new Image(manifest, parsed);
    byManifest.put(manifest.digest(), saved);
    return saved;
  }

  private List<LocalImage> all() throws IOException {
    if (all == null) {
      all = catalog.list();
    }
    return all;
  }

  /** The name as a reference; empty for an image ID (or what the catalog alone may find). */
  private static Optional<ImageReference> reference(String name) {
    try {
      return Optional.of(ImageReference.parse(name));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static boolean isRepository(ImageReference ref) {
    return ref.tag().isEmpty() && ref.digest().isEmpty();
  }

  private static List<ImageReference> inRepository(List<ImageReference> refs, ImageReference repository) {
    return refs.stream().filter(r -> r.repository().equals(repository.repository())).toList();
  }
}
