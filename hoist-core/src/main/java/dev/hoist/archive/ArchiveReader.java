package dev.hoist.archive;

import dev.hoist.image.LayerCompression;
import dev.hoist.store.OciStore;
import dev.hoist.store.StoreLease;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code docker load}: copies the images of an archive into the store and tags them. Reads the
 * archives {@code docker save} writes (docker 25+: an OCI layout plus {@code manifest.json}; older:
 * {@code manifest.json}, {@code <id>/layer.tar} and {@code <hex>.json}), skopeo's
 * {@code docker-archive:} and {@code oci-archive:} tars, and any of them gzip- or zstd-compressed.
 *
 * <p>Every blob is verified while it is copied: its digest and size, and for a layer its DiffID
 * against the config's {@code rootfs.diff_ids}, from the same read. Names are taken from
 * {@code io.containerd.image.name}, else from an {@code org.opencontainers.image.ref.name} that is
 * a whole reference (a bare tag names no repository), and from {@code manifest.json}'s
 * {@code RepoTags}. An image without a name is recorded in {@code index.json} under its ID
 * ({@code sha256:…}), so it is kept and can be saved again by ID.
 *
 * <p>Nothing is tagged until every blob of every image is in the store: a load that fails (an
 * unsafe path, a missing entry, a digest or DiffID mismatch, a truncated archive) tags nothing and
 * leaves no partial files, only verified blobs that nothing references. The store's shared lease
 * is held from the first blob to the last tag. Archive entries are only ever looked up by name,
 * never extracted. Thread-safe.
 */
public final class ArchiveReader {
  private static final int BUFFER = 1 << 16;

  private final OciStore store;

  public ArchiveReader(OciStore store) {
    this.store = store;
  }

  /** Loads the archive file {@code archive}; returns one result per name, or per unnamed image. */
  public List<LoadedImage> load(Path archive, LoadListener listener) throws IOException {
    if (!Files.isRegularFile(archive)) {
      throw new IOException("open " + archive + ": no such file or directory"); // docker's words
    }
    try (StoreLease lease = store.lease()) {
      Path decompressed = decompressed(archive);
      try (ArchiveEntries entries = ArchiveEntries.open(decompressed == null ? archive : decompressed)) {
        return tag(new ArchiveLoad(store, entries, listener).run());
      } finally {
        if (decompressed != null) {
          Files.deleteIfExists(decompressed);
        }
      }
    }
  }

  /**
   * Loads an archive read from {@code in} (standard input, say), which is spooled to a temporary
   * file in the store's {@code .hoist/} directory first (the archive may list its manifest after
   * the layers) and deleted afterwards. Does not close {@code in}.
   */
  public List<LoadedImage> load(InputStream in, LoadListener listener) throws IOException {
    try (StoreLease lease = store.lease()) { // a collection would sweep the spool file
      Path spool = store.createTempFile("load-");
      try {
        try (OutputStream out = Files.newOutputStream(spool)) {
          in.transferTo(out);
        }
        return load(spool, listener);
      } finally {
        Files.deleteIfExists(spool);
      }
    }
  }

  /** A gzip or zstd archive decompressed to a temporary file, or null for a plain tar. */
  private Path decompressed(Path archive) throws IOException {
    LayerCompression compression = CompressionSniffer.sniff(Files.newInputStream(archive), archive.toString());
    if (compression == LayerCompression.NONE) {
      return null;
    }
    Path plain = store.createTempFile("load-");
    try (InputStream in = compression.decompress(Files.newInputStream(archive), BUFFER)) {
      Files.copy(in, plain, StandardCopyOption.REPLACE_EXISTING);
      return plain;
    } catch (IOException e) {
      Files.deleteIfExists(plain);
      throw new InvalidArchiveException("cannot decompress " + archive + ": " + ArchiveEntries.describe(e), e);
    }
  }

  private List<LoadedImage> tag(LoadedImages images) throws IOException {
    List<LoadedImage> loaded = new ArrayList<>();
    for (LoadedImages.Image image : images.all()) {
      if (image.names.isEmpty()) {
        store.refs().tag(image.target, List.of(image.imageId.toString()));
        loaded.add(new LoadedImage(Optional.empty(), image.imageId));
      } else {
        store.refs().tag(image.target, ArchiveLoad.strings(image.names));
        image.names.forEach(name -> loaded.add(new LoadedImage(Optional.of(name), image.imageId)));
      }
    }
    return loaded;
  }
}
