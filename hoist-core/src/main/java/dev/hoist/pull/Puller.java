package dev.hoist.pull;

import dev.hoist.image.Descriptor;
import dev.hoist.image.Digest;
import dev.hoist.image.DigestMismatchException;
import dev.hoist.image.ImageConfig;
import dev.hoist.image.ImageIndex;
import dev.hoist.image.ImageManifest;
import dev.hoist.image.InvalidManifestException;
import dev.hoist.image.Manifest;
import dev.hoist.image.Manifests;
import dev.hoist.image.MediaTypes;
import dev.hoist.image.OciManifests;
import dev.hoist.platform.Platform;
import dev.hoist.platform.PlatformMatcher;
import dev.hoist.reference.ImageReference;
import dev.hoist.registry.FetchedManifest;
import dev.hoist.registry.RegistryClient;
import dev.hoist.store.ImageRefs;
import dev.hoist.store.OciStore;
import dev.hoist.transfer.BlobDownloader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
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
  private static final long MAX_CONFIG_BYTES = 64L << 20;
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
    PullListener events = new GuardedListener(listener);
    ImageReference ref = request.reference().withDefaultTag();
    String tagOrDigest = ref.digest().map(Digest::toString).orElseGet(() -> ref.tag().orElseThrow());
    ManifestResolver resolver = new ManifestResolver(client, store, events);
    PlatformMatcher matcher =
        request.requestedPlatform().map(PlatformMatcher::only).orElseGet(PlatformMatcher::forHost);

    FetchedManifest top = resolver.resolve(ref);
    Manifest manifest = parse(ref, top);
    events.pullStarted(ref, tagOrDigest);

    List<FetchedManifest> indexes = new ArrayList<>();
    FetchedManifest image = top;
    while (manifest instanceof ImageIndex index) {
      if (indexes.size() == MAX_INDEX_DEPTH) {
        throw new InvalidManifestException(
            ref.familiarString() + " nests indexes more than " + MAX_INDEX_DEPTH + " deep");
      }
      Descriptor chosen = PlatformChoice.choose(index, matcher, matcher.target().toString());
      if (chosen.platform() != null) {
        checkOs(chosen.platform().os());
      }
      indexes.add(image);
      image = resolver.byDigest(ref, chosen);
      manifest = parse(ref, image);
    }
    ImageManifest imageManifest = (ImageManifest) manifest;
    validate(imageManifest);

    FetchedConfig config = fetchConfig(ref, imageManifest);
    if (indexes.isEmpty()) {
      checkSingleArchPlatform(ref, request, config.config().platform(), events);
    }
    LayerPull.Outcome outcome =
        new LayerPull(ref, imageManifest, store, downloader, executor, events).run();

    // Children before parents: the registry's own bytes, then what index.json will name.
    writeManifest(image);
    for (int i = indexes.size() - 1; i >= 0; i--) {
      writeManifest(indexes.get(i));
    }
    Descriptor target = ociTarget(image, imageManifest, config.config().platform(), top.digest());
    boolean tagChanged = tag(ref, target, top.digest());
    PullResult result = new PullResult(
        ref, top.digest(), imageManifest.config().digest(), tagChanged,
        outcome.bytesDownloaded() + config.bytesFetched(), outcome.bytesReused());
    events.pullFinished(result);
    return result;
  }

  private Manifest parse(ImageReference ref, FetchedManifest fetched) throws IOException {
    String mediaType = Manifests.mediaTypeOf(fetched.bytes(), fetched.contentType());
    if (MediaTypes.isSchema1(mediaType)) {
      throw new InvalidManifestException(
          "Docker Image Format v1 and Docker Image manifest version 2, schema 1 support has been"
              + " removed. Suggest the author of " + ref.familiarString() + " to upgrade the image"
              + " to the OCI Format or Docker Image manifest v2, schema 2. More information at"
              + " https://docs.docker.com/go/deprecated-image-specs/");
    }
    return Manifests.parse(fetched.bytes(), mediaType);
  }

  private static void validate(ImageManifest manifest) throws InvalidManifestException {
    String configType = manifest.config().mediaType();
    if (!MediaTypes.isImageConfig(configType)) {
      throw new InvalidManifestException(
          "Encountered remote \"" + configType + "\"(unknown) when fetching");
    }
    for (Descriptor layer : manifest.layers()) {
      if (!MediaTypes.isLayer(layer.mediaType())) {
        throw new InvalidManifestException("unsupported media type " + layer.mediaType());
      }
      if (MediaTypes.isForeignLayer(layer.mediaType())) {
        throw new InvalidManifestException(
            "layer " + layer.digest() + " is a foreign layer (" + layer.mediaType()
                + "), which hoist does not pull");
      }
    }
    if (manifest.config().size() > MAX_CONFIG_BYTES) {
      throw new InvalidManifestException(
          "image config " + manifest.config().digest() + " is " + manifest.config().size()
              + " bytes, more than the " + MAX_CONFIG_BYTES + " byte limit");
    }
  }

  private record FetchedConfig(ImageConfig config, long bytesFetched) {}

  /**
   * Fetches the config (if the store lacks it) and checks that it describes exactly the
   * manifest's layers, before any layer is fetched.
   */
  private FetchedConfig fetchConfig(ImageReference ref, ImageManifest manifest) throws IOException {
    Descriptor descriptor = manifest.config();
    long fetched;
    try {
      fetched = downloader.fetch(ref, descriptor, BlobDownloader.Progress.NONE);
    } catch (DigestMismatchException e) {
      throw new DigestMismatchException(
          "image config verification failed for digest " + descriptor.digest() + ": " + e.getMessage(),
          descriptor.digest());
    }
    ImageConfig config = ImageConfig.parse(store.read(descriptor.digest(), MAX_CONFIG_BYTES));
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
