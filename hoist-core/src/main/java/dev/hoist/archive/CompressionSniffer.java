package dev.hoist.archive;

import dev.hoist.image.LayerCompression;
import java.io.IOException;
import java.io.InputStream;

/**
 * How content without a media type (a whole archive, a layer {@code manifest.json} names) is
 * compressed, by its first bytes, as docker's {@code DecompressStream} decides for
 * {@code docker load}.
 */
final class CompressionSniffer {
  /** Bytes {@link #sniff} needs: xz's magic is the longest. */
  static final int HEAD_BYTES = 6;

  private CompressionSniffer() {}

  /**
   * The compression {@code head} (the first bytes of the content) starts with; plain bytes are
   * taken to be an uncompressed tar, which the DiffID check then confirms.
   */
  static LayerCompression sniff(byte[] head, String what) throws InvalidArchiveException {
    if (startsWith(head, 0x1f, 0x8b, 0x08)) {
      return LayerCompression.GZIP;
    }
    if (startsWith(head, 0x28, 0xb5, 0x2f, 0xfd)) {
      return LayerCompression.ZSTD;
    }
    if (startsWith(head, 'B', 'Z', 'h')) {
      throw new InvalidArchiveException(what + " is compressed with bzip2, which hoist does not load");
    }
    if (startsWith(head, 0xfd, '7', 'z', 'X', 'Z', 0x00)) {
      throw new InvalidArchiveException(what + " is compressed with xz, which hoist does not load");
    }
    return LayerCompression.NONE;
  }

  /** The compression the stream starts with; reads its first bytes, then closes it. */
  static LayerCompression sniff(InputStream in, String what) throws IOException {
    try (in) {
      return sniff(in.readNBytes(HEAD_BYTES), what);
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
