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
import dev.hoist.reference.ImageReference;
import dev.hoist.registry.FetchedManifest;
import dev.hoist.registry.RegistryClient;
import dev.hoist.store.OciStore;
import dev.hoist.transfer.BlobDownloader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/**
 * Pulls one image into the store, in docker's order and with docker's checks
 * ({@code pullTag} and {@code pullSchema2} in moby's {@code distribution/pull_v2.go}):
 *
 * <ol>
 *   <li>Resolve the tag (or digest) to manifest bytes; verify them against the digest asked for.
 *   <li>For an index, choose the manifest for this platform and fetch it by digest.
 *   <li>Fetch the config and the layers concurrently, each verified while it streams into the
 *       store; layers already there are reused.
 *   <li>Check the config's {@code rootfs.diff_ids} against the layers.
 *   <li>Store the manifest (and index), then tag: nothing is tagged unless every check passed.
 * </ol>
 *
 * Thread-safe: one puller serves concurrent pulls.
 */
public final class Puller {
  private static final long MAX_CONFIG_BYTES = 64L << 20;

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

    FetchedManifest top = client.getManifest(ref, tagOrDigest);
    Optional<Digest> wanted = ref.digest();
    if (wanted.isPresent() && !wanted.get().equals(top.digest())) {
      throw new DigestMismatchException(
          "manifest verification failed for digest " + wanted.get(), wanted.get());
    }
    Manifest manifest = parse(ref, top);
    events.pullStarted(ref, tagOrDigest);

    FetchedManifest image = top;
    if (manifest instanceof ImageIndex index) {
      Descriptor chosen = PlatformChoice.choose(index, ref);
      image = client.getManifest(ref, chosen.digest().toString());
      if (!image.digest().equals(chosen.digest())) {
        throw new DigestMismatchException(
            "manifest verification failed for digest " + chosen.digest(), chosen.digest());
      }
      manifest = parse(ref, image);
      if (!(manifest instanceof ImageManifest)) {
        throw new InvalidManifestException(
            "the manifest for " + PlatformChoice.host() + " in " + ref.familiarString() + " is itself an index");
      }
    }
    ImageManifest imageManifest = (ImageManifest) manifest;
    validate(imageManifest);

    LayerPull layers = new LayerPull(ref, imageManifest, store, downloader, executor, events);
    LayerPull.Outcome outcome = layers.run(this::checkConfig);

    String imageMediaType = Manifests.mediaTypeOf(image.bytes(), image.contentType());
    store.write(Descriptor.of(imageMediaType, image.digest(), image.bytes().length), image.bytes());
    Descriptor target = Descriptor.of(
        Manifests.mediaTypeOf(top.bytes(), top.contentType()), top.digest(), top.bytes().length);
    if (top != image) {
      store.write(target, top.bytes());
    }
    boolean tagChanged = tag(ref, target);
    PullResult result = new PullResult(
        ref, top.digest(), imageManifest.config().digest(), tagChanged,
        outcome.bytesDownloaded(), outcome.bytesReused());
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

  /** Reads the stored config and checks that it describes exactly the manifest's layers. */
  private ImageConfig checkConfig(ImageManifest manifest) throws IOException {
    byte[] bytes = store.read(manifest.config().digest(), MAX_CONFIG_BYTES);
    ImageConfig config = ImageConfig.parse(bytes);
    if (config.diffIds().size() != manifest.layers().size()) {
      throw new InvalidManifestException("layers from manifest don't match image configuration");
    }
    return config;
  }

  /**
   * Points the requested reference (and, for a tag, {@code repository@digest} too, as docker
   * does) at the manifest. Returns whether the requested reference moved.
   */
  private boolean tag(ImageReference ref, Descriptor target) throws IOException {
    String byDigest = ref.withoutTag().withDigest(target.digest()).toString();
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
