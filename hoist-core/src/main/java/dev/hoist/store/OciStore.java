package dev.hoist.store;

import dev.hoist.image.Descriptor;
import dev.hoist.image.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

/**
 * A content store on a standard OCI image layout: {@code oci-layout}, {@code index.json} and
 * {@code blobs/<algorithm>/<hex>}, readable by skopeo, umoci and any other OCI tool. Blobs only
 * appear through a verified {@link Ingest}; tags live in {@code index.json} (see {@link ImageRefs}).
 *
 * <p>hoist keeps its own working files under {@code .hoist/} (partial downloads and lock files),
 * which OCI tools ignore. Thread-safe, and safe for several processes sharing one directory.
 */
public final class OciStore {
  static final String WORKDIR = ".hoist";

  private final Path root;
  private final ImageRefs refs;
  private final BlobSources sources;

  private OciStore(Path root) {
    this.root = root;
    this.refs = new ImageRefs(this);
    this.sources = new BlobSources(this);
  }

  /** Opens the layout at {@code root}, creating an empty one if the directory has none. */
  public static OciStore open(Path root) throws IOException {
    Path absolute = root.toAbsolutePath().normalize();
    Files.createDirectories(absolute.resolve("blobs").resolve("sha256"));
    Files.createDirectories(absolute.resolve(WORKDIR).resolve("ingest"));
    OciStore store = new OciStore(absolute);
    Path layoutFile = absolute.resolve("oci-layout");
    if (!Files.exists(layoutFile)) {
      store.writeAtomically(layoutFile, "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes());
    }
    store.refs.createIfMissing();
    return store;
  }

  /** The layout's directory. */
  public Path root() {
    return root;
  }

  /** The tags of this store. */
  public ImageRefs refs() {
    return refs;
  }

  /** Where layers came from and their DiffIDs. */
  public BlobSources sources() {
    return sources;
  }

  /** Whether the blob is in the store (committed and verified). */
  public boolean contains(Digest digest) {
    return Files.isRegularFile(blobPath(digest));
  }

  /** Where the blob lives (or would live) in the layout. */
  public Path blobPath(Digest digest) {
    return root.resolve("blobs").resolve(digest.algorithm()).resolve(digest.hex());
  }

  /** Opens a committed blob for reading. */
  public InputStream open(Digest digest) throws IOException {
    try {
      return Files.newInputStream(blobPath(digest));
    } catch (java.nio.file.NoSuchFileException e) {
      throw new BlobNotFoundException(digest, root);
    }
  }

  /** Reads a whole committed blob; for manifests and configs, refused above {@code maxBytes}. */
  public byte[] read(Digest digest, long maxBytes) throws IOException {
    long size = size(digest);
    if (size > maxBytes) {
      throw new IOException("blob " + digest + " is " + size + " bytes, more than " + maxBytes);
    }
    try (InputStream in = open(digest)) {
      return in.readAllBytes();
    }
  }

  /** The size of a committed blob. */
  public long size(Digest digest) throws IOException {
    try {
      return Files.size(blobPath(digest));
    } catch (java.nio.file.NoSuchFileException e) {
      throw new BlobNotFoundException(digest, root);
    }
  }

  /**
   * Starts (or resumes) writing a blob. Blocks while another thread or process writes the same
   * blob; if that writer committed it, the returned ingest {@link Ingest#isComplete() is complete}.
   */
  public Ingest ingest(Descriptor descriptor) throws IOException {
    Digest digest = descriptor.digest();
    String name = digest.algorithm() + "-" + digest.hex();
    StoreLock lock = StoreLock.acquire(root.resolve(WORKDIR).resolve("locks").resolve(name));
    try {
      return new Ingest(this, descriptor, root.resolve(WORKDIR).resolve("ingest").resolve(name), lock);
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  /**
   * A shared lease: blobs this store holds, or receives while it is held, are not deleted by a
   * collection until it is closed. Take it before adding content (and keep it until the index
   * entries that reference the content are written) or reading it.
   */
  public StoreLease lease() throws IOException {
    return StoreLease.shared(root.resolve(WORKDIR).resolve("gc.lock"));
  }

  /** The exclusive lease a collection holds while it deletes: waits for every shared lease. */
  public StoreLease exclusiveLease() throws IOException {
    return StoreLease.exclusive(root.resolve(WORKDIR).resolve("gc.lock"));
  }

  /** Every blob in the layout, by the digest its file name claims (contents not checked). */
  public List<Digest> blobs() throws IOException {
    List<Digest> result = new java.util.ArrayList<>();
    Path blobs = root.resolve("blobs");
    try (java.util.stream.Stream<Path> algorithms = Files.list(blobs)) {
      for (Path dir : (Iterable<Path>) algorithms.filter(Files::isDirectory)::iterator) {
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
          for (Path file : (Iterable<Path>) files::iterator) {
            try {
              result.add(Digest.parse(dir.getFileName() + ":" + file.getFileName()));
            } catch (IllegalArgumentException e) {
              // not a blob name (another tool's temporary file?): not ours to judge here
            }
          }
        }
      }
    }
    return result;
  }

  /**
   * Deletes a blob and what hoist recorded about it; false if it was not there. Only a collection
   * deletes, holding the {@link #exclusiveLease() exclusive lease} it must pass here.
   */
  public boolean delete(Digest digest, StoreLease exclusive) throws IOException {
    requireExclusive(exclusive);
    sources.forget(digest);
    return Files.deleteIfExists(blobPath(digest));
  }

  /**
   * Deletes hoist's leftovers: partial downloads, lock files, temporary files and metadata of
   * blobs that are gone. Safe only when no pull runs, which the exclusive lease guarantees.
   *
   * @return the bytes of partial downloads deleted
   */
  public long sweepWorkFiles(StoreLease exclusive) throws IOException {
    requireExclusive(exclusive);
    Path work = root.resolve(WORKDIR);
    long freed = 0;
    for (Path partial : list(work.resolve("ingest"))) {
      freed += Files.size(partial);
      Files.deleteIfExists(partial);
    }
    for (Path lock : list(work.resolve("locks"))) {
      Files.deleteIfExists(lock);
    }
    for (Path meta : list(work.resolve("metadata"))) {
      java.util.Optional<Digest> blob = BlobSources.blobOf(meta);
      if (blob.isEmpty() || !contains(blob.get())) {
        Files.deleteIfExists(meta);
      }
    }
    for (Path temp : list(work)) {
      if (temp.getFileName().toString().endsWith(".tmp")) {
        Files.deleteIfExists(temp);
      }
    }
    return freed;
  }

  private static List<Path> list(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (java.util.stream.Stream<Path> files = Files.list(dir)) {
      return files.filter(Files::isRegularFile).toList();
    }
  }

  private static void requireExclusive(StoreLease lease) {
    if (lease == null || !lease.isExclusive()) {
      throw new IllegalStateException("deleting needs the store's exclusive lease");
    }
  }

  /**
   * A new empty file under {@code .hoist/}, on the store's filesystem, for work in progress such as
   * an archive read from a stream. The caller deletes it.
   */
  public Path createTempFile(String prefix) throws IOException {
    return Files.createTempFile(root.resolve(WORKDIR), prefix, ".tmp");
  }

  /** Writes a small blob held in memory (a manifest or config), verifying it first. */
  public void write(Descriptor descriptor, byte[] bytes) throws IOException {
    try (Ingest ingest = ingest(descriptor)) {
      if (ingest.isComplete()) {
        return;
      }
      ingest.truncate();
      ingest.write(bytes, 0, bytes.length);
      ingest.commit();
    }
  }

  /** Every descriptor {@code index.json} lists, in file order. */
  public List<Descriptor> manifests() throws IOException {
    return refs.list();
  }

  /** The manifest descriptor tagged {@code refName}, if any. */
  public Optional<Descriptor> resolve(String refName) throws IOException {
    return refs.resolve(refName);
  }

  /** Moves a verified ingest file into {@code blobs/}, read-only, and makes the rename durable. */
  void publish(Path partial, Digest digest) throws IOException {
    Path target = blobPath(digest);
    Files.createDirectories(target.getParent());
    if (Files.exists(target)) {
      Files.deleteIfExists(partial);
      return;
    }
    try {
      Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException e) {
      Files.deleteIfExists(partial);
      return;
    }
    makeReadOnly(target);
    syncDirectory(target.getParent());
  }

  /** Replaces {@code file} with {@code bytes} by write-to-temp, fsync and atomic rename. */
  void writeAtomically(Path file, byte[] bytes) throws IOException {
    writeAtomically(file, bytes, true);
  }

  /**
   * Replaces {@code file} by write-to-temp and atomic rename; {@code durable} adds the fsyncs that
   * make the new content survive a power cut (hints can do without).
   */
  void writeAtomically(Path file, byte[] bytes, boolean durable) throws IOException {
    Path temp = Files.createTempFile(root.resolve(WORKDIR), file.getFileName().toString(), ".tmp");
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        channel.write(java.nio.ByteBuffer.wrap(bytes));
        if (durable) {
          channel.force(true);
        }
      }
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("the store needs a filesystem with atomic rename: " + root, e);
      }
      Files.setPosixFilePermissions(file, PERMISSIONS_RW_R_R);
      if (durable) {
        syncDirectory(file.getParent());
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private static final java.util.Set<PosixFilePermission> PERMISSIONS_RW_R_R =
      EnumSet.of(
          PosixFilePermission.OWNER_READ,
          PosixFilePermission.OWNER_WRITE,
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.OTHERS_READ);

  private static void makeReadOnly(Path file) {
    try {
      Files.setPosixFilePermissions(
          file,
          EnumSet.of(
              PosixFilePermission.OWNER_READ,
              PosixFilePermission.GROUP_READ,
              PosixFilePermission.OTHERS_READ));
    } catch (IOException | UnsupportedOperationException e) {
      // Read-only blobs guard against accidents only; a filesystem without POSIX modes is fine.
    }
  }

  private static void syncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Not every platform can fsync a directory; the rename itself is still atomic.
    }
  }
}
