package dev.hoist.unpack;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import dev.hoist.image.Descriptor;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Opens the uncompressed tar of a layer, by its media type: gzip ({@code +gzip}, Docker's
 * {@code .tar.gzip}), zstd ({@code +zstd}) or none. Gzip uses the JDK's zlib, zstd the zstd-jni
 * library.
 */
final class Decompression {
  private static final int BUFFER = 1 << 20;

  private Decompression() {}

  static InputStream open(Descriptor layer, InputStream compressed) throws IOException {
    String type = layer.mediaType().toLowerCase(Locale.ROOT);
    InputStream in = new BufferedInputStream(compressed, BUFFER);
    if (type.endsWith("+gzip") || type.endsWith(".tar.gzip") || type.endsWith("tar.gz")) {
      return new GZIPInputStream(in, BUFFER);
    }
    if (type.endsWith("+zstd")) {
      return new BufferedInputStream(new ZstdInputStreamNoFinalizer(in), BUFFER);
    }
    if (type.endsWith(".tar") || type.endsWith("rootfs.diff.tar") || type.isEmpty()
        || type.equals("application/octet-stream")) {
      return in;
    }
    throw new IOException("cannot unpack layer " + layer.digest() + " of media type " + layer.mediaType());
  }
}
