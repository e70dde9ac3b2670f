package dev.hoist.pull;

import dev.hoist.image.Descriptor;
import dev.hoist.image.Digest;
import dev.hoist.image.DigestMismatchException;
import dev.hoist.image.InvalidManifestException;
import dev.hoist.image.Manifests;
import dev.hoist.image.MediaTypes;
import dev.hoist.image.Schema1;
import dev.hoist.reference.ImageReference;
import dev.hoist.registry.FetchedManifest;
import dev.hoist.registry.NotFoundException;
import dev.hoist.registry.RegistryClient;
import dev.hoist.store.OciStore;
import java.io.IOException;
import java.util.Optional;

/**
 * Turns a reference into verified manifest bytes, as docker does: a tag is resolved with a
 * {@code HEAD} to its digest, then the manifest is fetched by that digest (or read from the store,
 * where it was verified when written). A registry that cannot serve by digest what it just named
 * gets docker's deprecation warning and a fetch by tag.
 */
final class ManifestResolver {
  private final RegistryClient client;
  private final OciStore store;
  private final PullListener events;

  ManifestResolver(RegistryClient client, OciStore store, PullListener events) {
    this.client = client;
    this.store = store;
    this.events = events;
  }

  /** The manifest (or index) the reference names. */
  FetchedManifest resolve(ImageReference ref) throws IOException {
    Optional<Digest> pinned = ref.digest();
    if (pinned.isPresent()) {
      return byDigest(ref, Descriptor.of("", pinned.get(), 0));
    }
    String tag = ref.tag().orElseThrow();
    Optional<Descriptor> head = client.headManifest(ref, tag);
    if (head.isEmpty()) {
      return client.getManifest(ref, tag);
    }
    try {
      return byDigest(ref, head.get());
    } catch (NotFoundException e) {
      events.warning(
          "Failed to pull manifest by the resolved digest. This registry does not appear to"
              + " conform to the distribution registry specification; falling back to pull by tag."
              + "  This fallback is DEPRECATED, and will be removed in a future release.  Please"
              + " contact admins of " + ref.domain() + ".");
      return client.getManifest(ref, tag);
    }
  }

  /** The manifest with digest {@code descriptor.digest()}, from the store if it is there. */
  FetchedManifest byDigest(ImageReference ref, Descriptor descriptor) throws IOException {
    Digest digest = descriptor.digest();
    if (store.contains(digest)) {
      byte[] bytes = store.read(digest, RegistryClient.MAX_MANIFEST_BYTES);
      return new FetchedManifest(bytes, descriptor.mediaType(), digest);
    }
    FetchedManifest fetched = client.getManifest(ref, digest.toString());
    if (fetched.digest().equals(digest)) {
      return fetched;
    }
    if (isSchema1(fetched) && Schema1.convert(fetched.bytes()).digest().equals(digest)) {
      // A signed schema 1 manifest is addressed by the digest of its payload, not of its bytes.
      return new FetchedManifest(fetched.bytes(), fetched.contentType(), digest);
    }
    throw new DigestMismatchException("manifest verification failed for digest " + digest, digest);
  }

  private static boolean isSchema1(FetchedManifest fetched) {
    try {
      return MediaTypes.isSchema1(Manifests.mediaTypeOf(fetched.bytes(), fetched.contentType()));
    } catch (InvalidManifestException e) {
      return false;
    }
  }
}
