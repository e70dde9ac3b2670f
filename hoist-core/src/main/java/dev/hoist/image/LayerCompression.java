package dev.hoist.image;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * How a layer's tar is compressed, and the stream that undoes it. The one place hoist reads a
 * layer media type for that, so unpacking and loading archives accept the same spellings: OCI's
 * {@code +gzip} and {@code +zstd} (the non-distributable variants too), Docker's
 * {@code .tar.gzip} (its foreign layers too), a plain {@code .tar}, and the empty or
 * {@code application/octet-stream} type some old images give an uncompressed layer. Gzip uses the
 * JDK's zlib, zstd the zstd-jni library.
 */
public enum LayerCompression {
  NONE(MediaTypes.OCI_LAYER),
  GZIP(MediaTypes.OCI_LAYER_GZIP),
  ZSTD(MediaTypes.OCI_LAYER_ZSTD);

  private final String ociMediaType;

  LayerCompression(String ociMediaType) {
    this.ociMediaType = ociMediaType;
  }

  /** The compression a layer media type names; empty for a type that is not a layer hoist reads. */
  public static Optional<LayerCompression> ofMediaType(String mediaType) {
    String type = mediaType.toLowerCase(Locale.ROOT);
    if (type.endsWith("+gzip") || type.endsWith(".tar.gzip") || type.endsWith("tar.gz")) {
      return Optional.of(GZIP);
    }
    if (type.endsWith("+zstd")) {
      return Optional.of(ZSTD);
    }
    if (type.endsWith(".tar") || type.isEmpty() || type.equals("application/octet-stream")) {
      return Optional.of(NONE);
    }
    return Optional.empty();
  }

  /** The OCI media type of a layer compressed this way. */
  public String ociMediaType() {
    return ociMediaType;
  }

  /**
   * The uncompressed tar of {@code compressed}, read through buffers of {@code bufferSize} bytes;
   * {@code compressed} itself when there is nothing to undo. Closing the result closes
   * {@code compressed}, and must be done: the zstd stream holds native memory until then.
   */
  public InputStream decompress(InputStream compressed, int bufferSize) throws IOException {
    return switch (this) {
      case NONE -> compressed;
      case GZIP -> new GZIPInputStream(compressed, bufferSize);
      case ZSTD -> new BufferedInputStream(new ZstdInputStreamNoFinalizer(compressed), bufferSize);
    };
  }
}
