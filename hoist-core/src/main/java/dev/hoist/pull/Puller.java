package dev.hoist.pull;

import dev.hoist.image.Descriptor;
import dev.hoist.image.Digest;
import dev.hoist.image.DigestMismatchException;
import dev.hoist.image.ImageConfig;
import dev.hoist.image.ImageIndex;
import dev.hoist.image.ImageManifest;
import dev.hoist.image.InvalidManifestException;
import dev.hoist.image.Schema1;
import dev.hoist.image.Schema1Image;
import dev.hoist.image.Manifests;
import dev.hoist.image.MediaTypes;
import dev.hoist.image.OciManifests;
import dev.hoist.platform.Platform;
import dev.hoist.platform.PlatformMatcher;
import dev.hoist.reference.ImageReference;
import dev.hoist.registry.FetchedManifest;
import dev.hoist.registry.MirrorFallback;
import dev.hoist.registry.RegistryClient;
import dev.hoist.store.ImageRefs;
import dev.hoist.store.OciStore;
import dev.hoist.store.StoreLease;
import dev.hoist.transfer.BlobDownloader;
import dev.hoist.unpack.RootfsWriter;
import dev.hoist.transfer.Progress;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/**
 * Pulls one image into the store, in docker's order and with docker's checks
 * ({@code pullTag}, {@code pullManifestList} and {@code pullSchema2} in moby's
 * {@code distribution/pull_v2.go}):
 *
 * <ol>
 *   <li>Resolve the reference to manifest bytes, verified against their digest.
 *   <li>For an index, choose the entry for the platform (following nested indexes) and fetch it
 *       by digest.
 *   <li>Fetch the config; check its {@code rootfs.diff_ids} against the layers and its OS against
 *       this machine, before any layer is fetched.
 *   <li>Fetch the missing layers concurrently, each verified while it streams into the store.
 *   <li>Store the manifest, then the index, then tag: nothing is tagged unless every check
 *       passed, and a crash at any point leaves only unreferenced blobs.
 * </ol>
 *
 * Thread-safe: one puller serves concurrent pulls.
 */
public final class Puller {
  private static final int MAX_INDEX_DEPTH = 4;

  private final RegistryClient client;
  private final OciStore store;
  private final BlobDownloader downloader;
  private final ExecutorService executor;

  public Puller(RegistryClient client, OciStore store, BlobDownloader downloader, ExecutorService executor) {
    this.client = client;
    this.store = store;
    this.downloader = downloader;
    this.executor = executor;
  }

  /** Pulls the image; on failure nothing is tagged and the store holds only verified blobs. */
  public PullResult pull(PullRequest request, PullListener listener) throws IOException {
    EventDispatcher events = new EventDispatcher(listener, executor);
    // Held until the tags are written: a collection must not delete blobs committed before them.
    try (StoreLease lease = store.lease()) {
      return pull(request, events);
    } finally {
      events.drain();
    }
  }

  private PullResult pull(PullRequest request, EventDispatcher events) throws IOException {
    FallbackReporter fallbacks = new FallbackReporter(events);
    RegistryClient client = this.client.reporting(fallbacks);
    ImageReference ref = request.reference().withDefaultTag();
    String tagOrDigest = ref.digest().map(Digest::toString).orElseGet(() -> ref.tag().orElseThrow());
    ManifestResolver resolver = new ManifestResolver(client, store, events);
    PlatformMatcher matcher =
        request.requestedPlatform().map(PlatformMatcher::only).orElseGet(PlatformMatcher::forHost);

    FetchedManifest top = resolver.resolve(ref);
    events.pullStarted(ref, tagOrDigest);

    List<FetchedManifest> indexes = new ArrayList<>();
    FetchedManifest image = top;
    String type = Manifests.mediaTypeOf(image.bytes(), image.contentType());
    while (MediaTypes.isIndex(type)) {
      if (indexes.size() == MAX_INDEX_DEPTH) {
        throw new InvalidManifestException(
            ref.familiarString() + " nests indexes more than " + MAX_INDEX_DEPTH + " deep");
      }
      ImageIndex index = (ImageIndex) Manifests.parse(image.bytes(), type);
      Descriptor chosen = PlatformChoice.choose(index, matcher, matcher.target().toString());
      if (chosen.platform() != null) {
        checkOs(chosen.platform().os());
      }
      indexes.add(image);
      image = resolver.byDigest(ref, chosen);
      type = Manifests.mediaTypeOf(image.bytes(), image.contentType());
    }
    boolean singleArch = indexes.isEmpty();
    Prepared prepared = MediaTypes.isSchema1(type)
        ? pullSchema1(client, ref, request, image, singleArch, events, fallbacks)
        : pullImage(ref, request, image, type, singleArch, events, fallbacks);

    for (int i = indexes.size() - 1; i >= 0; i--) {
      writeManifest(indexes.get(i)); // parents after children
    }
    Digest resolved = singleArch ? prepared.digest() : top.digest();
    Descriptor target = ociTarget(image, prepared.manifest(), prepared.platform(), resolved);
    boolean tagChanged = tag(ref, target, resolved);
    PullResult result = new PullResult(
        ref, resolved, prepared.manifest().config().digest(), tagChanged,
        prepared.bytesDownloaded(), prepared.bytesReused());
    events.pullFinished(result);
    return result;
  }

  /**
   * An image whose config and layers are in the store and verified, and whose manifest bytes are
   * stored; all that is left is to name it.
   *
   * @param digest the digest the image manifest is addressed by in the registry
   */
  private record Prepared(
      ImageManifest manifest, Platform platform, Digest digest, long bytesDownloaded, long bytesReused) {}

  /** An OCI or Docker schema 2 image: config first, then the layers. */
  private Prepared pullImage(
      ImageReference ref, PullRequest request, FetchedManifest image, String type,
      boolean singleArch, PullListener events, FallbackReporter fallbacks) throws IOException {
    ImageManifest manifest = (ImageManifest) Manifests.parse(image.bytes(), type);
    ImageChecks.validate(ref, manifest, ImageConfig.MAX_BYTES);
    FetchedConfig config = fetchConfig(ref, manifest, fallbacks);
    if (singleArch) {
      checkSingleArchPlatform(ref, request, config.config().platform(), events);
    }
    LayerPull pull = new LayerPull(
        ref, manifest.layers(), store, downloader, executor, events, request.foreignLayers(), fallbacks);
    LayerPull.Outcome outcome;
    if (request.unpackDirectory().isPresent()) {
      List<Digest> diffIds = config.config().diffIds();
      try (RootfsWriter rootfs = RootfsWriter.create(
          request.unpackDirectory().get(), request.unpackOptions(), events::warning)) {
        outcome = pull.run((i, layer, blob, progress) ->
            rootfs.apply(layer, diffIds.get(i), blob, progress));
        rootfs.publish();
      }
    } else {
      outcome = pull.run();
    }
    writeManifest(image);
    recordSources(ref, manifest.layers(), config.config().diffIds());
    return new Prepared(manifest, config.config().platform(), image.digest(),
        outcome.bytesDownloaded() + config.bytesFetched(), outcome.bytesReused());
  }

  /**
   * A deprecated schema 1 image, converted as docker converts it when
   * {@code DOCKER_ENABLE_DEPRECATED_PULL_SCHEMA_1_IMAGE} is set: its layers are fetched, their
   * DiffIDs computed, and a config synthesised from the v1 history.
   */
  private Prepared pullSchema1(
      RegistryClient client, ImageReference ref, PullRequest request, FetchedManifest image,
      boolean singleArch, PullListener events, FallbackReporter fallbacks) throws IOException {
    String deprecated = Schema1Layers.deprecationMessage(ref);
    if (!request.schema1()) {
      throw new InvalidManifestException(deprecated);
    }
    events.warning(deprecated);
    Schema1Image s1 = Schema1.convert(image.bytes());
    if (singleArch) {
      checkSingleArchPlatform(ref, request, s1.platform(), events);
    }
    Schema1Layers layers = new Schema1Layers(client, store);
    List<Descriptor> descriptors = layers.describe(ref, s1);
    LayerPull.Outcome outcome = new LayerPull(
        ref, descriptors, store, downloader, executor, events, request.foreignLayers(), fallbacks).run();
    List<Digest> diffIds = layers.diffIds(descriptors);
    recordSources(ref, descriptors, diffIds);
    if (request.unpackDirectory().isPresent()) {
      unpackStored(request, descriptors, diffIds, events);
    }
    byte[] config = s1.configWithDiffIds(diffIds);
    Descriptor configDescriptor =
        Descriptor.of(MediaTypes.DOCKER_CONFIG, Digest.sha256(config), config.length);
    store.write(configDescriptor, config);
    byte[] payload = s1.payload();
    store.write(Descriptor.of(MediaTypes.DOCKER_SCHEMA1_MANIFEST, s1.digest(), payload.length), payload);
    ImageManifest converted =
        new ImageManifest(MediaTypes.DOCKER_MANIFEST, configDescriptor, descriptors, Map.of(), "");
    return new Prepared(converted, s1.platform(), s1.digest(),
        outcome.bytesDownloaded(), outcome.bytesReused());
  }

  /**
   * Pulls every tag of a repository, one after the other as docker does ({@code docker pull -a});
   * the first failure stops the pull.
   *
   * @throws IllegalArgumentException if the reference names a tag or digest
   */
  public List<PullResult> pullAllTags(PullRequest request, PullListener listener) throws IOException {
    ImageReference repository = request.reference();
    if (repository.tag().isPresent() || repository.digest().isPresent()) {
      throw new IllegalArgumentException("tag can't be used with --all-tags/-a");
    }
    EventDispatcher events = new EventDispatcher(listener, executor);
    List<String> tags;
    try {
      tags = client.reporting(new FallbackReporter(events)).listTags(repository, TAG_PAGE_SIZE);
    } finally {
      events.drain();
    }
    if (tags.isEmpty()) {
      throw new InvalidManifestException("repository " + repository.familiarName() + " has no tags");
    }
    List<PullResult> results = new ArrayList<>();
    for (String tag : tags) {
      results.add(pull(request.withReference(repository.withTag(tag)), listener));
    }
    return results;
  }

  private static final int TAG_PAGE_SIZE = 1000;

  private record FetchedConfig(ImageConfig config, long bytesFetched) {}

  /**
   * Fetches the config (if the store lacks it) and checks that it describes exactly the
   * manifest's layers, before any layer is fetched.
   */
  private FetchedConfig fetchConfig(
      ImageReference ref, ImageManifest manifest, FallbackReporter fallbacks) throws IOException {
    Descriptor descriptor = manifest.config();
    long fetched;
    try {
      fetched = downloader.fetch(ref, descriptor, new Progress() {
        @Override
        public void fallback(MirrorFallback event) {
          fallbacks.accept(event);
        }
      });
    } catch (DigestMismatchException e) {
      throw new DigestMismatchException(
          "image config verification failed for digest " + descriptor.digest() + ": " + e.getMessage(),
          descriptor.digest());
    }
    ImageConfig config = ImageConfig.parse(store.read(descriptor.digest(), ImageConfig.MAX_BYTES));
    if (config.diffIds().size() != manifest.layers().size()) {
      throw new InvalidManifestException("layers from manifest don't match image configuration");
    }
    return new FetchedConfig(config, fetched);
  }

  private static void checkOs(String os) throws InvalidManifestException {
    String host = Platform.host().os();
    if (!os.isEmpty() && !os.equals(host)) {
      throw new InvalidManifestException(
          "image operating system \"" + os + "\" cannot be used on this platform (" + host + ")");
    }
  }

  /**
   * A single-platform image is pulled whatever platform was asked for, with docker's warning; but
   * an image for another OS is refused before its layers are fetched, as docker refuses it.
   */
  private static void checkSingleArchPlatform(
      ImageReference ref, PullRequest request, Platform imagePlatform, PullListener events)
      throws InvalidManifestException {
    if (request.requestedPlatform().isPresent()) {
      Platform wanted = request.requestedPlatform().get();
      if (!PlatformMatcher.only(wanted).matches(imagePlatform)) {
        events.warning("image with reference " + ref.familiarString() + " was found but its platform ("
            + imagePlatform + ") does not match the specified platform (" + wanted + ")");
      }
      return;
    }
    String host = Platform.host().os();
    if (!imagePlatform.os().isEmpty() && !imagePlatform.os().equals(host)) {
      throw new InvalidManifestException(
          "cannot download image with operating system \"" + imagePlatform.os()
              + "\" when requesting \"" + host + "\"");
    }
  }

  /**
   * The descriptor {@code index.json} names the image by: the image manifest itself when it is
   * OCI, else its lossless OCI form, which skopeo's {@code oci:} transport and umoci require. It
   * records the platform and the digest the reference resolved to in the registry.
   */
  private Descriptor ociTarget(
      FetchedManifest image, ImageManifest manifest, Platform platform, Digest resolved)
      throws IOException {
    Descriptor target;
    if (MediaTypes.OCI_MANIFEST.equals(manifest.mediaType())) {
      target = Descriptor.of(MediaTypes.OCI_MANIFEST, image.digest(), image.bytes().length);
    } else {
      byte[] oci = OciManifests.toOci(manifest);
      target = Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.sha256(oci), oci.length);
      store.write(target, oci);
    }
    return new Descriptor(
        target.mediaType(), target.digest(), target.size(), List.of(),
        java.util.Map.of(ImageRefs.RESOLVED_DIGEST, resolved.toString()),
        platform.os().isEmpty() ? null : platform);
  }

  /** Unpacks layers that are all in the store already, in order. */
  private void unpackStored(
      PullRequest request, List<Descriptor> layers, List<Digest> diffIds, PullListener events)
      throws IOException {
    try (RootfsWriter rootfs = RootfsWriter.create(
        request.unpackDirectory().get(), request.unpackOptions(), events::warning)) {
      for (int i = 0; i < layers.size(); i++) {
        Descriptor layer = layers.get(i);
        try (java.io.InputStream blob = store.open(layer.digest())) {
          rootfs.apply(layer, diffIds.get(i), blob, current -> events.layer(
              new LayerEvent(layer.digest(), LayerStatus.EXTRACTING, current, layer.size())));
        }
      }
      rootfs.publish();
    }
  }

  /** Remembers where each layer came from and its DiffID (docker's v2 metadata). */
  private void recordSources(ImageReference ref, List<Descriptor> layers, List<Digest> diffIds)
      throws IOException {
    for (int i = 0; i < layers.size(); i++) {
      store.sources().record(layers.get(i).digest(), diffIds.get(i), ref.repository());
    }
  }

  private Descriptor writeManifest(FetchedManifest manifest) throws IOException {
    String mediaType = Manifests.mediaTypeOf(manifest.bytes(), manifest.contentType());
    Descriptor d = Descriptor.of(mediaType, manifest.digest(), manifest.bytes().length);
    store.write(d, manifest.bytes());
    return d;
  }

  /**
   * Points the requested reference (and {@code repository@digest}, as docker records it) at the
   * image. Returns whether the requested reference moved (docker's "Downloaded newer image").
   */
  private boolean tag(ImageReference ref, Descriptor target, Digest resolved) throws IOException {
    String byDigest = ref.withoutTag().withDigest(resolved).toString();
    // A digest reference (with or without a tag) is recorded by digest alone, as docker does.
    String requested = ref.digest().isPresent() ? byDigest : ref.toString();
    boolean changed =
        store.resolve(requested).map(d -> !d.digest().equals(target.digest())).orElse(true);
    Set<String> names = new LinkedHashSet<>(List.of(requested, byDigest));
    store.refs().tag(target, names);
    return changed;
  }

  static List<Descriptor> distinct(List<Descriptor> layers) {
    Set<Digest> seen = new java.util.HashSet<>();
    List<Descriptor> result = new ArrayList<>();
    for (Descriptor d : layers) {
      if (seen.add(d.digest())) {
        result.add(d);
      }
    }
    return result;
  }
}
