package dev.hoist.registry;

import java.io.IOException;
import java.io.InputStream;

/**
 * An open blob download. The body starts at byte {@link #offset()} of the blob: the offset asked
 * for when the registry honoured the range request, else 0. Closing it closes the connection's
 * stream. Not thread-safe.
 */
public final class BlobStream implements AutoCloseable {
  private final InputStream body;
  private final long offset;
  private final long contentLength;

  BlobStream(InputStream body, long offset, long contentLength) {
    this.body = body;
    this.offset = offset;
    this.contentLength = contentLength;
  }

  /** The bytes, from {@link #offset()} on. Not verified: the caller hashes what it reads. */
  public InputStream body() {
    return body;
  }

  /** Where in the blob the body starts. */
  public long offset() {
    return offset;
  }

  /** The number of bytes the body will carry, or -1 when the registry did not say. */
  public long contentLength() {
    return contentLength;
  }

  @Override
  public void close() throws IOException {
    body.close();
  }
}
