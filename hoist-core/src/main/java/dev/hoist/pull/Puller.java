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
    validate(ref, imageManifest);

    FetchedConfig config = fetchConfig(ref, imageManifest);
    if (indexes.isEmpty()) {
      checkSingleArchPlatform(ref, request, config.config().platform(), events);
    }
    LayerPull.Outcome outcome =
        new LayerPull(ref, imageManifest, store, downloader, executor, events, request.foreignLayers())
            .run();

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
    List<String> tags = client.listTags(repository, TAG_PAGE_SIZE);
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

  private Manifest parse(ImageReference ref, FetchedManifest fetched) throws IOException {
    String mediaType = Manifests.mediaTypeOf(fetched.bytes(), fetched.contentType());
    if (MediaTypes.isSchema1(mediaType)) {
      throw new InvalidManifestException(
          "Docker Image Format v1 and Docker Image manifest version 2, schema 1 support has been"
              + " removed. Suggest the author of " + ref + " to upgrade the image"
              + " to the OCI Format or Docker Image manifest v2, schema 2. More information at"
              + " https://docs.docker.com/go/deprecated-image-specs/");
    }
    return Manifests.parse(fetched.bytes(), mediaType);
  }

  private static void validate(ImageReference ref, ImageManifest manifest)
      throws InvalidManifestException {
    String configType = manifest.config().mediaType();
    if (!manifest.artifactType().isEmpty() || MediaTypes.OCI_EMPTY.equals(configType)) {
      String type = manifest.artifactType().isEmpty() ? configType : manifest.artifactType();
      throw new InvalidManifestException(
          ref.familiarString() + " is an OCI artifact (" + type + "), not an image: hoist pulls"
              + " container images only");
    }
    if (MediaTypes.isAiModel(configType)) {
      throw new InvalidManifestException(AI_MODEL);
    }
    if (!MediaTypes.isImageConfig(configType)) {
      String kind = MediaTypes.configClass(configType);
      String hint = switch (kind) {
        case "plugin" -> "; this is a docker plugin: install it with 'docker plugin install'";
        case "helm chart" -> "; this is a Helm chart: pull it with 'helm pull oci://"
            + ref.withoutTag().withoutDigest() + "'";
        default -> "; it is not a container image";
      };
      throw new InvalidManifestException(
          "Encountered remote \"" + configType + "\"(" + kind + ") when fetching" + hint);
    }
    for (Descriptor layer : manifest.layers()) {
      if (MediaTypes.isAiModel(layer.mediaType())) {
        throw new InvalidManifestException(AI_MODEL);
      }
      if (!MediaTypes.isSupportedBlob(layer.mediaType())) {
        throw new InvalidManifestException("unsupported media type " + layer.mediaType());
      }
    }
    if (manifest.config().size() > MAX_CONFIG_BYTES) {
      throw new InvalidManifestException(
          "image config " + manifest.config().digest() + " is " + manifest.config().size()
              + " bytes, more than the " + MAX_CONFIG_BYTES + " byte limit");
    }
  }

  private static final String AI_MODEL =
      "AI models are not yet supported by the Engine, please use \"docker model pull/run\" instead";

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
