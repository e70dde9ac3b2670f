package dev.hoist.archive;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hoist.image.Descriptor;
import dev.hoist.image.Digest;
import dev.hoist.image.DigestMismatchException;
import dev.hoist.image.MediaTypes;
import dev.hoist.internal.json.Json;
import dev.hoist.reference.ImageReference;
import dev.hoist.store.OciStore;
import dev.hoist.store.StoreLease;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * {@code docker save}: writes images of the store as one tar in docker's current format (docker
 * 25 and newer): an OCI image layout ({@code oci-layout}, {@code index.json} with one entry per
 * image and tag, annotated {@code io.containerd.image.name} = the full name and
 * {@code org.opencontainers.image.ref.name} = the tag; {@code blobs/sha256/…}) plus the legacy
 * {@code manifest.json} ({@code Config}, {@code RepoTags} in docker's familiar form, {@code Layers}).
 *
 * <p>Layers are saved as the store holds them, compressed, and {@code manifest.json} names those
 * same blobs: {@code docker load} and skopeo's {@code docker-archive:} reader both decompress a
 * compressed layer they find there (moby's {@code loadLayer}, containers/image's
 * {@code GetBlob}) and check it against the config's DiffID, and the OCI side stays byte for byte
 * the image the store holds. A blob shared by several images is written once; each is streamed
 * from the store and verified against its digest on the way. The output is deterministic (sorted
 * entries, mtime 0), so saving the same images twice gives the same bytes. Thread-safe.
 */
public final class ArchiveWriter {
  private static final int BUFFER = 1 << 16;
  private static final String OCI_LAYOUT = "{\"imageLayoutVersion\":\"1.0.0\"}";

  private final OciStore store;

  public ArchiveWriter(OciStore store) {
    this.store = store;
  }

  /**
   * Writes the images {@code names} name to {@code out}, which is flushed but not closed. On
   * failure {@code out} has received part of an archive: use {@link #save(List, Path)} for a file.
   *
   * @param names as for {@code docker save}: {@code NAME:TAG}, {@code NAME} (every tag),
   *     {@code NAME@DIGEST}, or an image ID or a unique prefix of one (as {@link
   *     dev.hoist.catalog.ImageCatalog#find} finds it)
   * @throws dev.hoist.catalog.NoSuchImageException when the store lacks one, before anything is
   *     written
   * @throws IllegalArgumentException for a name that is neither a reference nor an image ID, or no
   *     name at all
   */
  public void save(List<String> names, OutputStream out) throws IOException {
    try (StoreLease lease = store.lease()) { // no collection deletes a blob while it is read
      write(SavedImages.select(store, names), out);
    }
  }

  /**
   * Writes the images to {@code file} through a temporary sibling renamed into place once
   * complete, so a save that fails leaves neither a half-written file nor a temporary one.
   */
  public void save(List<String> names, Path file) throws IOException {
    Path target = file.toAbsolutePath().normalize();
    if (Files.isDirectory(target)) {
      throw new IOException(file + " is a directory");
    }
    Path temp = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".tmp");
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        OutputStream out = java.nio.channels.Channels.newOutputStream(channel);
        save(names, out);
        channel.force(true);
      }
      Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private void write(List<SavedImages.Image> images, OutputStream out) throws IOException {
    Map<String, Descriptor> blobs = new TreeMap<>(); // by path: sorted, and each blob once
    ArrayNode index = Json.mapper().createArrayNode();
    ArrayNode manifest = Json.mapper().createArrayNode();
    for (SavedImages.Image image : images) {
      add(blobs, image.manifest);
      add(blobs, image.parsed.config());
      image.parsed.layers().forEach(layer -> add(blobs, layer));
      ObjectNode item = manifest.addObject();
      item.put("Config", ArchiveLoad.blobPath(image.parsed.config().digest()));
      if (image.tags.isEmpty()) {
        item.putNull("RepoTags"); // as docker writes an image saved by ID or digest
      } else {
        ArrayNode repoTags = item.putArray("RepoTags");
        image.tags.forEach(tag -> repoTags.add(tag.familiarString()));
      }
      ArrayNode layers = item.putArray("Layers");
      image.parsed.layers().forEach(layer -> layers.add(ArchiveLoad.blobPath(layer.digest())));
      for (ImageReference tag : image.tags) {
        index.add(indexEntry(image.manifest, tag));
      }
    }
    for (Descriptor blob : blobs.values()) {
      if (!store.contains(blob.digest())) {
        throw new IOException("the store lacks blob " + blob.digest() + " of a saved image");
      }
    }
    BufferedOutputStream buffered = new BufferedOutputStream(out, BUFFER);
    TarArchiveOutputStream tar = new TarArchiveOutputStream(buffered); // not closed: out is the caller's
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    directory(tar, "blobs/");
    String algorithm = "";
    for (Map.Entry<String, Descriptor> blob : blobs.entrySet()) {
      if (!blob.getValue().digest().algorithm().equals(algorithm)) {
        algorithm = blob.getValue().digest().algorithm();
        directory(tar, "blobs/" + algorithm + "/");
      }
      copyBlob(tar, blob.getKey(), blob.getValue().digest());
    }
    ObjectNode indexJson = Json.mapper().createObjectNode();
    indexJson.put("schemaVersion", 2);
    indexJson.put("mediaType", MediaTypes.OCI_INDEX);
    indexJson.set("manifests", index);
    file(tar, "index.json", Json.mapper().writeValueAsBytes(indexJson));
    file(tar, "manifest.json", (Json.mapper().writeValueAsString(manifest) + "\n").getBytes(StandardCharsets.UTF_8));
    file(tar, "oci-layout", OCI_LAYOUT.getBytes(StandardCharsets.UTF_8));
    tar.finish();
    buffered.flush(); // the tar stream's own flush does not reach it
  }

  private static void add(Map<String, Descriptor> blobs, Descriptor d) {
    blobs.putIfAbsent(ArchiveLoad.blobPath(d.digest()), d);
  }

  /** An {@code index.json} entry as docker writes it: the full name, and the tag as ref name. */
  private static ObjectNode indexEntry(Descriptor manifest, ImageReference tag) {
    ObjectNode entry = Json.mapper().createObjectNode();
    entry.put("mediaType", MediaTypes.OCI_MANIFEST);
    entry.put("digest", manifest.digest().toString());
    entry.put("size", manifest.size());
    ObjectNode annotations = entry.putObject("annotations");
    annotations.put("io.containerd.image.name", tag.toString());
    annotations.put("org.opencontainers.image.ref.name", tag.tag().orElseThrow());
    if (manifest.platform() != null) {
      ObjectNode platform = entry.putObject("platform");
      platform.put("architecture", manifest.platform().architecture());
      platform.put("os", manifest.platform().os());
      if (!manifest.platform().variant().isEmpty()) {
        platform.put("variant", manifest.platform().variant());
      }
    }
    return entry;
  }

  /** Streams a blob from the store into the tar, hashing it on the way; never held in memory. */
  private void copyBlob(TarArchiveOutputStream tar, String path, Digest digest) throws IOException {
    long size = store.size(digest);
    TarArchiveEntry entry = entry(path, size);
    tar.putArchiveEntry(entry);
    MessageDigest hasher = digest.newHasher();
    long copied = 0;
    try (InputStream in = store.open(digest)) {
      byte[] buffer = new byte[BUFFER];
      int n;
      while (copied < size && (n = in.read(buffer, 0, (int) Math.min(buffer.length, size - copied))) > 0) {
        hasher.update(buffer, 0, n);
        tar.write(buffer, 0, n);
        copied += n;
      }
    }
    Digest actual = Digest.of(digest.algorithm(), hasher.digest());
    if (copied != size || !actual.equals(digest)) {
      throw new DigestMismatchException("blob " + digest + " in the store is damaged: got " + actual
          + " after " + copied + " of " + size + " bytes", digest);
    }
    tar.closeArchiveEntry();
  }

  private static void file(TarArchiveOutputStream tar, String name, byte[] bytes) throws IOException {
    tar.putArchiveEntry(entry(name, bytes.length));
    tar.write(bytes);
    tar.closeArchiveEntry();
  }

  private static void directory(TarArchiveOutputStream tar, String name) throws IOException {
    TarArchiveEntry entry = new TarArchiveEntry(name);
    entry.setMode(040755);
    entry.setModTime(0);
    tar.putArchiveEntry(entry);
    tar.closeArchiveEntry();
  }

  private static TarArchiveEntry entry(String name, long size) {
    TarArchiveEntry entry = new TarArchiveEntry(name);
    entry.setSize(size);
    entry.setMode(0100644);
    entry.setModTime(0);
    return entry;
  }
}
