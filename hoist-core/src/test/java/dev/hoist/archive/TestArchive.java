package dev.hoist.archive;

import com.github.luben.zstd.Zstd;
import dev.hoist.image.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Builds image archives (and the layers and configs in them) entry by entry, for tests. */
final class TestArchive {
  private record Entry(String name, byte[] bytes, String link) {}

  private final List<Entry> entries = new ArrayList<>();

  TestArchive file(String name, byte[] bytes) {
    entries.add(new Entry(name, bytes, null));
    return this;
  }

  TestArchive file(String name, String text) {
    return file(name, text.getBytes(StandardCharsets.UTF_8));
  }

  TestArchive symlink(String name, String target) {
    entries.add(new Entry(name, null, target));
    return this;
  }

  /** {@code blobs/sha256/<hex>} holding {@code bytes}. */
  TestArchive blob(byte[] bytes) {
    return file("blobs/sha256/" + Digest.sha256(bytes).hex(), bytes);
  }

  byte[] bytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (Entry e : entries) {
        TarArchiveEntry entry;
        if (e.link() != null) {
          entry = new TarArchiveEntry(e.name(), TarConstants.LF_SYMLINK);
          entry.setLinkName(e.link());
        } else {
          entry = new TarArchiveEntry(e.name());
          entry.setSize(e.bytes().length);
        }
        tar.putArchiveEntry(entry);
        if (e.bytes() != null) {
          tar.write(e.bytes());
        }
        tar.closeArchiveEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  Path write(Path file) throws IOException {
    Files.write(file, bytes());
    return file;
  }

  /** A layer tar holding one regular file per map entry (name to content). */
  static byte[] layer(Map<String, String> files) {
    TestArchive layer = new TestArchive();
    files.forEach(layer::file);
    return layer.bytes();
  }

  static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static byte[] zstd(byte[] bytes) {
    return Zstd.compress(bytes);
  }

  /** A linux/amd64 image config with these DiffIDs. */
  static byte[] config(Digest... diffIds) {
    StringBuilder ids = new StringBuilder();
    for (Digest d : diffIds) {
      ids.append(ids.length() == 0 ? "" : ",").append('"').append(d).append('"');
    }
    return ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\","
        + "\"diff_ids\":[" + ids + "]}}").getBytes(StandardCharsets.UTF_8);
  }

  /** One {@code manifest.json} item; {@code repoTags} null for an untagged image. */
  static String item(String config, List<String> repoTags, String... layers) {
    StringBuilder json = new StringBuilder("{\"Config\":").append(quote(config)).append(",\"RepoTags\":");
    if (repoTags == null) {
      json.append("null");
    } else {
      json.append('[').append(String.join(",", repoTags.stream().map(TestArchive::quote).toList())).append(']');
    }
    json.append(",\"Layers\":[");
    for (int i = 0; i < layers.length; i++) {
      json.append(i == 0 ? "" : ",").append(quote(layers[i]));
    }
    return json.append("]}").toString();
  }

  /** An OCI image manifest for a config and layers ({@code media type, bytes} pairs). */
  static byte[] ociManifest(byte[] config, List<Map.Entry<String, byte[]>> layers) {
    StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",")
        .append("\"config\":").append(descriptor("application/vnd.oci.image.config.v1+json", config))
        .append(",\"layers\":[");
    for (int i = 0; i < layers.size(); i++) {
      json.append(i == 0 ? "" : ",").append(descriptor(layers.get(i).getKey(), layers.get(i).getValue()));
    }
    return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  static String descriptor(String mediaType, byte[] bytes) {
    return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + Digest.sha256(bytes)
        + "\",\"size\":" + bytes.length + "}";
  }

  /** An OCI {@code index.json} naming one manifest, with the given annotations (JSON object text). */
  static String index(byte[] manifest, String annotations) {
    String d = descriptor("application/vnd.oci.image.manifest.v1+json", manifest);
    return "{\"schemaVersion\":2,\"manifests\":[" + d.substring(0, d.length() - 1)
        + ",\"annotations\":" + annotations + "}]}";
  }

  private static String quote(String s) {
    return s == null ? "null" : "\"" + s.replace("\"", "\\\"") + "\"";
  }
}
