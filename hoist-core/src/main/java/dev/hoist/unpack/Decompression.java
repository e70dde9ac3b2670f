package dev.hoist.unpack;

import dev.hoist.image.Descriptor;
import dev.hoist.image.LayerCompression;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Opens the uncompressed tar of a layer, by its media type (see {@link LayerCompression}), with
 * 1 MiB buffers on both sides of the decompressor.
 */
final class Decompression {
  private static final int BUFFER = 1 << 20;

  private Decompression() {}

  static InputStream open(Descriptor layer, InputStream compressed) throws IOException {
    LayerCompression compression = LayerCompression.ofMediaType(layer.mediaType()).orElseThrow(() ->
        new IOException("cannot unpack layer " + layer.digest() + " of media type " + layer.mediaType()));
    return compression.decompress(new BufferedInputStream(compressed, BUFFER), BUFFER);
  }
}
