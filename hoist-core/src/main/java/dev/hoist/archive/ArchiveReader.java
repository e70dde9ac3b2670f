package dev.hoist.archive;

import dev.hoist.image.LayerCompression;
import dev.hoist.store.OciStore;
import dev.hoist.store.StoreLease;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
      LayerCompression compression =
          CompressionSniffer.sniff(Files.newInputStream(archive), archive.toString());
      if (compression == LayerCompression.NONE) {
        return loadTar(archive, listener); // read in place
      }
      try (InputStream in = Files.newInputStream(archive)) {
        return loadSpooled(in, archive.toString(), listener);
      }
    }
  }

  /**
   * Loads an archive read from {@code in} (standard input, say), which is spooled to a temporary
   * file in the store's {@code .hoist/} directory first (the archive may list its manifest after
   * the layers), decompressed on the way when it is compressed, and deleted afterwards. Does not
   * close {@code in}.
   */
  public List<LoadedImage> load(InputStream in, LoadListener listener) throws IOException {
    try (StoreLease lease = store.lease()) { // a collection would sweep the spool file
      return loadSpooled(in, "the archive", listener);
    }
  }

  /** Loads the tar {@code in} holds through one temporary file, deleted afterwards. */
  private List<LoadedImage> loadSpooled(InputStream in, String what, LoadListener listener)
      throws IOException {
    Path spool = store.createTempFile("load-");
    try {
      spool(in, spool, what);
      return loadTar(spool, listener);
    } finally {
      Files.deleteIfExists(spool);
    }
  }

  /**
   * Copies {@code in} to {@code spool} in one pass, undoing the compression its first bytes
   * announce on the way. {@code in} is left open.
   */
  private static void spool(InputStream in, Path spool, String what) throws IOException {
    InputStream buffered = new BufferedInputStream(new FilterInputStream(in) {
      @Override
      public void close() {} // the caller's stream: only the decompressor is ours to close
    }, BUFFER);
    buffered.mark(CompressionSniffer.HEAD_BYTES);
    LayerCompression compression =
        CompressionSniffer.sniff(buffered.readNBytes(CompressionSniffer.HEAD_BYTES), what);
    buffered.reset();
    InputStream plain;
    try {
      plain = compression.decompress(buffered, BUFFER);
    } catch (IOException e) {
      throw unreadable(e, compression, what);
    }
    try (plain; OutputStream out = Files.newOutputStream(spool)) {
      byte[] buffer = new byte[BUFFER];
      while (true) {
        int n;
        try {
          n = plain.read(buffer);
        } catch (IOException e) {
          throw unreadable(e, compression, what);
        }
        if (n < 0) {
          return;
        }
        out.write(buffer, 0, n); // a full disk is said as it is, not blamed on the archive
      }
    }
  }

  private static IOException unreadable(IOException e, LayerCompression compression, String what) {
    if (compression == LayerCompression.NONE) {
      return e;
    }
    return new InvalidArchiveException("cannot decompress " + what + ": " + ArchiveEntries.describe(e), e);
  }

  private List<LoadedImage> loadTar(Path tar, LoadListener listener) throws IOException {
    try (ArchiveEntries entries = ArchiveEntries.open(tar)) {
      return tag(new ArchiveLoad(store, entries, listener).run());
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
