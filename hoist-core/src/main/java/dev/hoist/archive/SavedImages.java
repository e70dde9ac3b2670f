package dev.hoist.archive;

import dev.hoist.image.Descriptor;
import dev.hoist.image.Digest;
import dev.hoist.image.ImageManifest;
import dev.hoist.image.InvalidManifestException;
import dev.hoist.image.Manifest;
import dev.hoist.image.Manifests;
import dev.hoist.image.MediaTypes;
import dev.hoist.reference.ImageReference;
import dev.hoist.store.ImageRefs;
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
 * The images {@code docker save} arguments name, found in the store as docker finds them
 * ({@code parseNames} in moby's {@code image/tarexport/save.go}): {@code NAME:TAG} is that tag;
 * a bare {@code NAME} is every tag of that repository; {@code NAME@DIGEST} and an image ID
 * ({@code sha256:…}, or its 64 hex digits) are the image without a tag. An image named twice is
 * saved once, with all its tags.
 */
final class SavedImages {
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
  private final List<Descriptor> entries;
  private final Map<Digest, Image> byManifest = new LinkedHashMap<>();

  private SavedImages(OciStore store) throws IOException {
    this.store = store;
    this.entries = store.manifests();
  }

  /**
   * Finds every image {@code names} name.
   *
   * @throws IOException "No such image: X" for a name the store does not hold
   * @throws IllegalArgumentException for a name that is not a reference
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
    if (ID.matcher(name).matches()) {
      Digest id = Digest.parse(name.startsWith("sha256:") ? name : "sha256:" + name);
      boolean found = false;
      for (Descriptor entry : entries) {
        Optional<ImageManifest> manifest = imageManifest(entry);
        if (manifest.isPresent() && manifest.get().config().digest().equals(id)) {
          image(entry, name);
          found = true;
        }
      }
      require(found, name);
      return;
    }
    ImageReference ref = ImageReference.parse(name);
    if (ref.digest().isPresent()) {
      // Saved untagged, as docker does: NAME:TAG@DIGEST and NAME@DIGEST are the same image.
      String byDigest = ref.withoutTag().toString();
      image(find(byDigest).orElseThrow(() -> missing(ref.familiarString())), name);
    } else if (ref.tag().isPresent()) {
      image(find(ref.toString()).orElseThrow(() -> missing(ref.familiarString())), name)
          .tags.add(ref);
    } else {
      boolean found = false;
      for (Descriptor entry : entries) {
        Optional<ImageReference> tagged = taggedName(entry);
        if (tagged.isPresent() && tagged.get().repository().equals(ref.repository())) {
          image(entry, name).tags.add(tagged.get());
          found = true;
        }
      }
      require(found, ref.familiarName());
    }
  }

  private Image image(Descriptor entry, String name) throws IOException {
    Image known = byManifest.get(entry.digest());
    if (known != null) {
      return known;
    }
    ImageManifest manifest = imageManifest(entry).orElseThrow(() -> new InvalidManifestException(
        name + " names " + entry.mediaType() + " " + entry.digest() + ", not an image manifest"));
    Image image = new Image(entry, manifest);
    byManifest.put(entry.digest(), image);
    return image;
  }

  private Optional<Descriptor> find(String refName) {
    Descriptor found = null;
    for (Descriptor d : entries) {
      if (refName.equals(d.annotations().get(ImageRefs.REF_NAME))) {
        found = d; // the last one wins, as in ImageRefs.resolve
      }
    }
    return Optional.ofNullable(found);
  }

  private Optional<ImageManifest> imageManifest(Descriptor entry) throws IOException {
    if (!MediaTypes.isImageManifest(entry.mediaType())) {
      return Optional.empty();
    }
    Manifest manifest = Manifests.parse(
        store.read(entry.digest(), Manifests.MAX_BYTES), entry.mediaType());
    return manifest instanceof ImageManifest m ? Optional.of(m) : Optional.empty();
  }

  private static Optional<ImageReference> taggedName(Descriptor entry) {
    String name = entry.annotations().get(ImageRefs.REF_NAME);
    if (name == null || ID.matcher(name).matches()) {
      return Optional.empty(); // an image loaded without a name is recorded under its ID
    }
    try {
      ImageReference ref = ImageReference.parse(name);
      return ref.tag().isPresent() && ref.digest().isEmpty() ? Optional.of(ref) : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty(); // a name another tool wrote, such as a bare tag
    }
  }

  private static void require(boolean found, String name) throws IOException {
    if (!found) {
      throw missing(name);
    }
  }

  private static IOException missing(String name) {
    return new IOException("No such image: " + name);
  }
}
