package dev.hoist.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/**
 * Reads a blob while it downloads: bytes come from the download's ingest file as soon as the
 * downloader has written them, so an unpacker can extract a layer while it arrives. The file stays
 * readable after the commit renames it (the open channel keeps the inode).
 */
final class FollowingInputStream extends InputStream {
  private final LiveBlob blob;
  private final long size;
  private final FileChannel channel;
  private long position;

  FollowingInputStream(LiveBlob blob, long size) throws IOException {
    this.blob = blob;
    this.size = size;
    this.channel = FileChannel.open(blob.partial(), StandardOpenOption.READ);
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (position >= size) {
      return -1;
    }
    long available = blob.awaitBeyond(position);
    if (available <= position) {
      return -1; // committed without more bytes: the size check belongs to the downloader
    }
    int n = (int) Math.min(len, Math.min(available, size) - position);
    int read = channel.read(ByteBuffer.wrap(b, off, n), position);
    if (read > 0) {
      position += read;
    }
    return read;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
