package dev.hoist.archive;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import dev.hoist.image.MediaTypes;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * How a layer (or a whole archive) is compressed: by its media type where it has one, else by its
 * first bytes, as docker's {@code DecompressStream} decides for {@code docker load}.
 */
enum Compression {
  NONE(MediaTypes.OCI_LAYER),
  GZIP(MediaTypes.OCI_LAYER_GZIP),
  ZSTD(MediaTypes.OCI_LAYER_ZSTD);

  private static final int BUFFER = 1 << 16;

  private final String ociLayerType;

  Compression(String ociLayerType) {
    this.ociLayerType = ociLayerType;
  }

  /** The OCI layer media type of a layer compressed this way. */
  String ociLayerType() {
    return ociLayerType;
  }

  /** The compression a layer media type names, or an error for one hoist cannot read. */
  static Compression ofLayerType(String mediaType, String what) throws InvalidArchiveException {
    String type = mediaType.toLowerCase(Locale.ROOT);
    if (type.endsWith("+gzip") || type.endsWith(".tar.gzip")) {
      return GZIP;
    }
    if (type.endsWith("+zstd")) {
      return ZSTD;
    }
    if (type.endsWith(".tar") || type.endsWith("rootfs.diff.tar")) {
      return NONE;
    }
    throw new InvalidArchiveException(what + " has media type " + mediaType + ", which is not a layer hoist can load");
  }

  /**
   * The compression {@code head} (the first bytes of the content) starts with; plain bytes are
   * taken to be an uncompressed tar, which the DiffID check then confirms.
   */
  static Compression sniff(byte[] head, String what) throws InvalidArchiveException {
    if (startsWith(head, 0x1f, 0x8b, 0x08)) {
      return GZIP;
    }
    if (startsWith(head, 0x28, 0xb5, 0x2f, 0xfd)) {
      return ZSTD;
    }
    if (startsWith(head, 'B', 'Z', 'h')) {
      throw new InvalidArchiveException(what + " is compressed with bzip2, which hoist does not load");
    }
    if (startsWith(head, 0xfd, '7', 'z', 'X', 'Z', 0x00)) {
      throw new InvalidArchiveException(what + " is compressed with xz, which hoist does not load");
    }
    return NONE;
  }

  /** The decompressed bytes of {@code in}; reads nothing past what the decompressor needs. */
  InputStream open(InputStream in) throws IOException {
    return switch (this) {
      case NONE -> in;
      case GZIP -> new GZIPInputStream(in, BUFFER);
      case ZSTD -> new BufferedInputStream(new ZstdInputStreamNoFinalizer(in), BUFFER);
    };
  }

  /** Reads up to {@code n} bytes from the start of the stream, closing it. */
  static byte[] head(InputStream in, int n) throws IOException {
    try (in) {
      return in.readNBytes(n);
    }
  }

  private static boolean startsWith(byte[] head, int... magic) {
    if (head.length < magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if ((head[i] & 0xff) != magic[i]) {
        return false;
      }
    }
    return true;
  }
}
