package dev.hoist.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes an OCI layout whose only layer is an uncompressed tar of one big pseudo-random file,
 * streaming and hashing as it goes, so a 1 GiB layer needs only a 1 MiB buffer.
 */
final class LargeLayerImage {
  static final String LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar";
  private static final String CONFIG_TYPE = "application/vnd.oci.image.config.v1+json";
  private static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
  private static final String CREATED = "2024-01-01T00:00:00Z";
  private static final ObjectMapper JSON = new ObjectMapper();

  private LargeLayerImage() {}

  static OciLayoutImage write(Path layout, String tag, long bytes) throws IOException {
    Path blobs = Files.createDirectories(layout.resolve("blobs/sha256"));
    Map<String, Object> layer = writeLayer(blobs, bytes);
    String diffId = (String) layer.get("digest");
    Map<String, Object> config =
        ordered(
            "created",
            CREATED,
            "architecture",
            "amd64",
            "os",
            "linux",
            "config",
            Map.of(),
            "rootfs",
            ordered("type", "layers", "diff_ids", List.of(diffId)),
            "history",
            List.of(ordered("created", CREATED, "created_by", "largeLayer")));
    Map<String, Object> manifest =
        ordered(
            "schemaVersion",
            2,
            "mediaType",
            MANIFEST_TYPE,
            "config",
            writeJsonBlob(blobs, CONFIG_TYPE, config),
            "layers",
            List.of(layer));
    Map<String, Object> descriptor = writeJsonBlob(blobs, MANIFEST_TYPE, manifest);
    descriptor.put("annotations", Map.of("org.opencontainers.image.ref.name", tag));
    Map<String, Object> index =
        ordered(
            "schemaVersion",
            2,
            "mediaType",
            "application/vnd.oci.image.index.v1+json",
            "manifests",
            List.of(descriptor));
    JSON.writeValue(layout.resolve("index.json").toFile(), index);
    Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    return new OciLayoutImage(layout, tag, 1);
  }

  /** Writes the tar layer and returns its descriptor. Its digest is also its DiffID. */
  private static Map<String, Object> writeLayer(Path blobs, long bytes) throws IOException {
    Path partial = Files.createTempFile(blobs, "layer", ".partial");
    MessageDigest sha256 = sha256();
    CountingOutputStream counter;
    try (OutputStream file = Files.newOutputStream(partial);
        TarArchiveOutputStream tar =
            new TarArchiveOutputStream(
                new DigestOutputStream(
                    counter = new CountingOutputStream(new BufferedOutputStream(file, 1 << 16)),
                    sha256))) {
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      TarArchiveEntry dir = new TarArchiveEntry("data/");
      dir.setMode(040755);
      tar.putArchiveEntry(dir);
      tar.closeArchiveEntry();
      TarArchiveEntry entry = new TarArchiveEntry("data/random.bin");
      entry.setMode(0100644);
      entry.setSize(bytes);
      tar.putArchiveEntry(entry);
      SplittableRandom random = new SplittableRandom(bytes);
      byte[] buffer = new byte[1 << 20];
      for (long left = bytes; left > 0; ) {
        int n = (int) Math.min(buffer.length, left);
        random.nextBytes(buffer);
        tar.write(buffer, 0, n);
        left -= n;
      }
      tar.closeArchiveEntry();
      tar.finish();
    }
    String hex = HexFormat.of().formatHex(sha256.digest());
    Files.move(partial, blobs.resolve(hex), StandardCopyOption.REPLACE_EXISTING);
    return descriptor(LAYER_TYPE, hex, counter.count);
  }

  private static Map<String, Object> writeJsonBlob(Path blobs, String mediaType, Object value)
      throws IOException {
    byte[] bytes = JSON.writeValueAsString(value).getBytes(StandardCharsets.UTF_8);
    String hex = HexFormat.of().formatHex(sha256().digest(bytes));
    Files.write(blobs.resolve(hex), bytes);
    return descriptor(mediaType, hex, bytes.length);
  }

  private static Map<String, Object> descriptor(String mediaType, String hex, long size) {
    return ordered("mediaType", mediaType, "digest", "sha256:" + hex, "size", size);
  }

  /** A mutable map keeping the given key order, so the JSON (and its digest) is stable. */
  private static Map<String, Object> ordered(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static final class CountingOutputStream extends FilterOutputStream {
    long count;

    CountingOutputStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }
  }
}
