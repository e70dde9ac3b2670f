package dev.hoist.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hoist.image.Descriptor;
import dev.hoist.image.Digest;
import dev.hoist.image.ImageConfig;
import dev.hoist.image.ImageManifest;
import dev.hoist.image.Manifest;
import dev.hoist.internal.json.Json;
import dev.hoist.platform.Platform;
import dev.hoist.reference.ImageReference;
import dev.hoist.store.ImageRefs;
import dev.hoist.store.OciStore;
import dev.hoist.store.StoreLease;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * docker's everyday image commands over a store: {@code images}, {@code inspect}, {@code tag},
 * {@code rmi} and {@code image prune}. Images are named as docker names them: by reference
 * ({@code busybox}, {@code busybox:1.36}, {@code busybox@sha256:…}) or by image ID or a unique
 * prefix of it. Thread-safe; removals hold the store's exclusive lease, so they wait for running
 * pulls and never delete what one of them is about to reference.
 */
public final class ImageCatalog {
  private static final Pattern HEX_PREFIX = Pattern.compile("(sha256:)?[0-9a-f]{1,64}");

  private final OciStore store;

  public ImageCatalog(OciStore store) {
    this.store = Objects.requireNonNull(store, "store == null");
  }

  /** Every image in the store, newest first (then by name), one per manifest. */
  public List<LocalImage> list() throws IOException {
    List<LocalImage> images = new ArrayList<>();
    for (List<Descriptor> entries : byManifest(store.refs().list()).values()) {
      LocalImage image = describe(entries);
      if (image != null) {
        images.add(image);
      }
    }
    images.sort(Comparator.comparing((LocalImage i) -> i.created().orElse(Instant.EPOCH)).reversed()
        .thenComparing(i -> i.tags().isEmpty() ? "~" : i.tags().get(0).toString()));
    return images;
  }

  /**
   * The image a name or ID denotes, docker's way: a reference first (a missing tag means
   * {@code latest}), then an image ID or a prefix of one that only one image has.
   */
  public Optional<LocalImage> find(String nameOrId) throws IOException {
    return lookup(nameOrId).map(Match::image);
  }

  /** As {@link #find}, or {@link NoSuchImageException}. */
  public LocalImage get(String nameOrId) throws IOException {
    return find(nameOrId).orElseThrow(() -> new NoSuchImageException(nameOrId));
  }

  /**
   * Points {@code target} (a reference with a tag, or none for {@code latest}) at the image
   * {@code source} denotes, as {@code docker tag} does.
   *
   * @throws IllegalArgumentException if target is not a valid tag reference
   */
  public void tag(String source, String target) throws IOException {
    ImageReference ref = parseTarget(target);
    try (StoreLease lease = store.lease()) {
      LocalImage image = get(source);
      store.refs().tag(image.manifest(), List.of(ref.toString()));
    }
  }

  private static ImageReference parseTarget(String target) {
    ImageReference ref = ImageReference.parse(target); // InvalidReferenceException: a usage error
    if (ref.digest().isPresent()) {
      throw new IllegalArgumentException("refusing to create a tag with a digest reference");
    }
    return ref.withDefaultTag();
  }

  /**
   * Removes what {@code nameOrId} denotes, as {@code docker rmi} does. A reference is untagged
   * (with the digest references of its repository when it was that repository's last tag); an ID
   * untags every reference, and refuses when they span several repositories unless {@code force}.
   * Once nothing names the image, its blobs that no other image uses are deleted.
   *
   * @throws NoSuchImageException when nothing matches
   * @throws ImageConflictException when an ID names an image of several repositories
   */
  public Removal remove(String nameOrId, boolean force) throws IOException {
    try (StoreLease lease = store.exclusiveLease()) {
      Match match = lookup(nameOrId).orElseThrow(() -> new NoSuchImageException(nameOrId));
      LocalImage image = match.image();
      Set<String> untag = new LinkedHashSet<>();
      if (match.reference() != null) {
        ImageReference ref = match.reference();
        untag.add(ref.toString());
        boolean byTag = ref.digest().isEmpty();
        boolean otherTagInRepository = image.tags().stream()
            .anyMatch(t -> !t.equals(ref) && t.repository().equals(ref.repository()));
        if (byTag && !otherTagInRepository) {
          image.digests().stream().filter(d -> d.repository().equals(ref.repository()))
              .forEach(d -> untag.add(d.toString()));
        }
      } else {
        Set<String> repositories = new HashSet<>();
        image.tags().forEach(t -> repositories.add(t.repository()));
        image.digests().forEach(d -> repositories.add(d.repository()));
        if (repositories.size() > 1 && !force) {
          throw new ImageConflictException("conflict: unable to delete " + image.shortId()
              + " (must be forced) - image is referenced in multiple repositories");
        }
        untag.addAll(namesOf(image)); // every entry, also unnamed ones and ID-named loads
      }
      Digest manifest = image.manifest().digest();
      return untagAndDelete(List.of(image),
          entry -> entry.digest().equals(manifest) && untag.contains(ImageRefs.nameOf(entry)), lease);
    }
  }

  /** Removes every dangling image (no tag names it), as {@code docker image prune} does. */
  public Removal pruneDangling() throws IOException {
    try (StoreLease lease = store.exclusiveLease()) {
      List<LocalImage> dangling = list().stream().filter(LocalImage::isDangling).toList();
      Set<Digest> manifests = new HashSet<>();
      dangling.forEach(image -> manifests.add(image.manifest().digest()));
      return untagAndDelete(dangling, entry -> manifests.contains(entry.digest()), lease);
    }
  }

  /** The names of every index entry of the image; null stands for an unnamed entry. */
  private Set<String> namesOf(LocalImage image) throws IOException {
    Set<String> names = new LinkedHashSet<>();
    for (Descriptor entry : store.refs().list()) {
      if (entry.digest().equals(image.manifest().digest())) {
        names.add(ImageRefs.nameOf(entry));
      }
    }
    return names;
  }

  /**
   * Removes the index entries {@code which} accepts, then deletes the blobs of those
   * {@code images} no entry names any more that no remaining entry reaches: one rewrite of the
   * index and one walk of what remains, however many images go.
   */
  private Removal untagAndDelete(
      List<LocalImage> images, Predicate<Descriptor> which, StoreLease lease) throws IOException {
    List<Descriptor> removed = store.refs().remove(which);
    List<String> untagged = untagged(removed);
    List<Descriptor> remaining = store.refs().list();
    Set<Digest> stillNamed = new HashSet<>();
    remaining.forEach(entry -> stillNamed.add(entry.digest()));
    List<LocalImage> gone =
        images.stream().filter(image -> !stillNamed.contains(image.manifest().digest())).toList();
    if (gone.isEmpty()) {
      return new Removal(untagged, List.of(), 0); // still named: only untagged
    }
    // Image by image, as docker reports them: its ID, then the rest of what it reaches.
    Set<Digest> order = new LinkedHashSet<>();
    for (LocalImage image : gone) {
      List<Descriptor> roots = new ArrayList<>(List.of(image.manifest()));
      removed.stream() // they carry the index an image was resolved from
          .filter(entry -> entry.digest().equals(image.manifest().digest())).forEach(roots::add);
      List<Digest> reached = new ArrayList<>(Reachability.from(store, roots));
      reached.sort(Comparator.comparing((Digest d) -> !d.equals(image.id())));
      order.addAll(reached);
    }
    Set<Digest> kept = Reachability.from(store, remaining);
    List<Digest> deleted = new ArrayList<>();
    long bytes = 0;
    for (Digest digest : order) {
      if (kept.contains(digest)) {
        continue;
      }
      long size = store.size(digest);
      if (store.delete(digest, lease)) {
        deleted.add(digest);
        bytes += size;
      }
    }
    return new Removal(untagged, deleted, bytes);
  }

  /** The references removed entries named, familiar, as docker reports them untagged. */
  private static List<String> untagged(List<Descriptor> removed) {
    List<String> untagged = new ArrayList<>();
    for (Descriptor entry : removed) {
      String name = ImageRefs.nameOf(entry);
      if (name != null && !isImageId(name)) {
        untagged.add(familiar(name));
      }
    }
    return untagged;
  }

  /**
   * docker's {@code image inspect} document for the image, as JSON: {@code Id}, {@code RepoTags},
   * {@code RepoDigests}, {@code Created}, {@code Config}, {@code Architecture}, {@code Os},
   * {@code RootFS}, {@code Size}, {@code Descriptor} and the other fields docker shows that the
   * configuration holds, in docker's order. A new tree on each call; how to print it is the
   * caller's choice.
   */
  public JsonNode inspect(String nameOrId) throws IOException {
    try (StoreLease lease = store.lease()) {
      LocalImage image = get(nameOrId);
      JsonNode config = Json.mapper().readTree(store.read(image.id(), ImageConfig.MAX_BYTES));
      ObjectNode out = Json.mapper().createObjectNode();
      out.put("Id", image.id().toString());
      ArrayNode tags = out.putArray("RepoTags");
      image.tags().forEach(t -> tags.add(t.familiarString()));
      ArrayNode digests = out.putArray("RepoDigests");
      image.digests().forEach(d -> digests.add(d.familiarString()));
      out.put("Parent", "");
      out.put("Comment", config.path("comment").asText(""));
      out.put("Created", config.path("created").asText(""));
      out.put("DockerVersion", config.path("docker_version").asText(""));
      out.put("Author", config.path("author").asText(""));
      out.set("Config", config.path("config").isObject() ? config.get("config") : Json.mapper().createObjectNode());
      out.put("Architecture", image.platform().architecture());
      if (!image.platform().variant().isEmpty()) {
        out.put("Variant", image.platform().variant());
      }
      out.put("Os", image.platform().os());
      if (config.hasNonNull("os.version")) {
        out.put("OsVersion", config.get("os.version").asText());
      }
      out.put("Size", image.size());
      ObjectNode rootfs = out.putObject("RootFS");
      rootfs.put("Type", "layers");
      ArrayNode layers = rootfs.putArray("Layers");
      config.path("rootfs").path("diff_ids").forEach(layers::add);
      ObjectNode descriptor = out.putObject("Descriptor");
      descriptor.put("mediaType", image.manifest().mediaType());
      descriptor.put("digest", image.manifest().digest().toString());
      descriptor.put("size", image.manifest().size());
      return out;
    }
  }

  private record Match(LocalImage image, ImageReference reference) {}

  private Optional<Match> lookup(String nameOrId) throws IOException {
    List<Descriptor> entries = store.refs().list();
    Map<Digest, List<Descriptor>> byManifest = byManifest(entries);
    ImageReference ref = asReference(nameOrId);
    if (ref != null) {
      String name = ref.digest().isPresent() ? ref.withoutTag().toString() : ref.withDefaultTag().toString();
      for (Descriptor entry : entries) {
        if (name.equals(ImageRefs.nameOf(entry))) {
          LocalImage image = describe(byManifest.get(entry.digest()));
          if (image != null) {
            ImageReference named = ImageReference.parse(name);
            return Optional.of(new Match(image, named));
          }
        }
      }
    }
    String id = nameOrId.toLowerCase(Locale.ROOT);
    if (!HEX_PREFIX.matcher(id).matches()) {
      return Optional.empty();
    }
    String hex = id.startsWith("sha256:") ? id.substring(7) : id;
    LocalImage found = null;
    for (List<Descriptor> group : byManifest.values()) {
      LocalImage image = describe(group);
      if (image != null && image.id().hex().startsWith(hex)) {
        if (found != null && !found.id().equals(image.id())) {
          return Optional.empty(); // ambiguous prefix: docker refuses it too
        }
        if (found == null) {
          found = image;
        }
      }
    }
    return Optional.ofNullable(found).map(i -> new Match(i, null));
  }

  private static ImageReference asReference(String text) {
    try {
      return ImageReference.parse(text);
    } catch (IllegalArgumentException e) { // InvalidReferenceException included
      return null;
    }
  }

  private static Map<Digest, List<Descriptor>> byManifest(List<Descriptor> entries) {
    Map<Digest, List<Descriptor>> groups = new LinkedHashMap<>();
    for (Descriptor entry : entries) {
      groups.computeIfAbsent(entry.digest(), d -> new ArrayList<>()).add(entry);
    }
    return groups;
  }

  /** The image that index entries naming one manifest describe; null if it is not an image here. */
  private LocalImage describe(List<Descriptor> entries) throws IOException {
    Descriptor target = entries.get(0);
    if (!store.contains(target.digest())) {
      return null;
    }
    Manifest manifest = Reachability.parse(store, target);
    if (!(manifest instanceof ImageManifest image) || !store.contains(image.config().digest())) {
      return null;
    }
    List<ImageReference> tags = new ArrayList<>();
    List<ImageReference> digests = new ArrayList<>();
    List<String> others = new ArrayList<>();
    for (Descriptor entry : entries) {
      String name = ImageRefs.nameOf(entry);
      if (name == null || isImageId(name)) {
        continue; // unnamed, or named by its ID as a load of an untagged image records it
      }
      ImageReference ref = asReference(name);
      if (ref == null || !ref.toString().equals(name)) {
        others.add(name); // not a full reference: another tool's name, such as "latest"
      } else if (ref.digest().isPresent()) {
        digests.add(ref);
      } else {
        tags.add(ref);
      }
    }
    ImageConfig config;
    try {
      config = ImageConfig.parse(store.read(image.config().digest(), ImageConfig.MAX_BYTES));
    } catch (IOException e) {
      // An unreadable config still names an image that can be listed and removed.
      config = new ImageConfig(Platform.of("", "", ""), List.of(), "");
    }
    long size = target.size() + image.config().size();
    Set<Digest> counted = new HashSet<>();
    for (Descriptor layer : image.layers()) {
      if (counted.add(layer.digest())) {
        size += layer.size();
      }
    }
    return new LocalImage(image.config().digest(), target, tags, digests, others,
        created(config.created()), size, config.platform());
  }

  private static Optional<Instant> created(String text) {
    if (text.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(OffsetDateTime.parse(text).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static boolean isImageId(String name) {
    if (!name.startsWith("sha256:")) {
      return false;
    }
    try {
      Digest.parse(name);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String familiar(String name) {
    ImageReference ref = asReference(name);
    return ref == null ? name : ref.familiarString();
  }
}
