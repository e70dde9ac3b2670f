package dev.hoist.unpack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ReadAheadInputStreamTest {
  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    new Random(42).nextBytes(bytes);
    return bytes;
  }

  @Test
  void deliversEveryByteOfTheSourceInOrder() throws IOException {
    byte[] data = randomBytes(ReadAheadInputStream.CHUNK_SIZE * ReadAheadInputStream.CHUNKS * 3 + 17);
    try (InputStream in = new ReadAheadInputStream(new ByteArrayInputStream(data), "test")) {
      assertThat(in.read()).isEqualTo(data[0] & 0xff);
      byte[] rest = in.readAllBytes();
      assertThat(rest.length).isEqualTo(data.length - 1);
      assertThat(rest).isEqualTo(java.util.Arrays.copyOfRange(data, 1, data.length));
      assertThat(in.read()).isEqualTo(-1);
    }
  }

  @Test
  void throwsWhatTheSourceThrewAfterTheBytesBeforeIt() throws IOException {
    byte[] data = randomBytes(1000);
    InputStream failing = new SequenceInputStream(new ByteArrayInputStream(data), new InputStream() {
      @Override
      public int read() throws IOException {
        throw new IOException("Unexpected end of ZLIB input stream");
      }
    });
    try (InputStream in = new ReadAheadInputStream(failing, "test")) {
      assertThat(in.readNBytes(1000)).isEqualTo(data);
      assertThatThrownBy(in::read).isInstanceOf(IOException.class)
          .hasMessage("Unexpected end of ZLIB input stream");
    }
  }

  @Test
  void closeStopsAReaderBlockedInTheSourceAndClosesIt() throws Exception {
    CountDownLatch reading = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    InputStream blocking = new InputStream() {
      @Override
      public int read() throws IOException {
        reading.countDown();
        try {
          Thread.sleep(60_000); // a stalled download
        } catch (InterruptedException e) {
          throw new java.io.InterruptedIOException("interrupted");
        }
        return -1;
      }

      @Override
      public void close() {
        closed.countDown();
      }
    };
    InputStream in = new ReadAheadInputStream(blocking, "test");
    assertThat(reading.await(10, TimeUnit.SECONDS)).isTrue();
    in.close();
    assertThat(closed.getCount()).isZero();
    assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessage("stream closed");
  }

  @Test
  void closeStopsAReaderWaitingForTheConsumerToCatchUp() throws Exception {
    byte[] data = randomBytes(ReadAheadInputStream.CHUNK_SIZE * (ReadAheadInputStream.CHUNKS + 4));
    ReadAheadInputStream in = new ReadAheadInputStream(new ByteArrayInputStream(data), "test-full");
    assertThat(in.read()).isEqualTo(data[0] & 0xff);
    Thread.sleep(100); // lets the reader fill every chunk and block
    in.close();
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().equals("test-full"));
  }
}
