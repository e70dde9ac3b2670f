package dev.hoist.unpack;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Builds a layer tar in memory, names kept verbatim (even absolute ones). */
final class TestLayer {
  static final FileTime MTIME = FileTime.fromMillis(1_500_000_000_000L);

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final TarArchiveOutputStream out;

  TestLayer() {
    out = new TarArchiveOutputStream(bytes, StandardCharsets.UTF_8.name());
    out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
  }

  TestLayer dir(String name, int mode) {
    return add(entry(name, TarConstants.LF_DIR, mode), new byte[0]);
  }

  TestLayer file(String name, String content) {
    return file(name, content, 0644);
  }

  TestLayer file(String name, String content, int mode) {
    return file(name, content.getBytes(StandardCharsets.UTF_8), mode, e -> {});
  }

  TestLayer file(String name, byte[] content, int mode, Consumer<TarArchiveEntry> edit) {
    TarArchiveEntry e = entry(name, TarConstants.LF_NORMAL, mode);
    e.setSize(content.length);
    edit.accept(e);
    return add(e, content);
  }

  TestLayer symlink(String name, String target) {
    TarArchiveEntry e = entry(name, TarConstants.LF_SYMLINK, 0777);
    e.setLinkName(target);
    return add(e, new byte[0]);
  }

  TestLayer hardlink(String name, String target) {
    TarArchiveEntry e = entry(name, TarConstants.LF_LINK, 0644);
    e.setLinkName(target);
    return add(e, new byte[0]);
  }

  TestLayer node(String name, byte type, int mode) {
    TarArchiveEntry e = entry(name, type, mode);
    e.setDevMajor(1);
    e.setDevMinor(3);
    return add(e, new byte[0]);
  }

  TestLayer add(TarArchiveEntry entry, byte[] content) {
    try {
      out.putArchiveEntry(entry);
      out.write(content);
      out.closeArchiveEntry();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  byte[] bytes() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  InputStream stream() {
    return new ByteArrayInputStream(bytes());
  }

  private static TarArchiveEntry entry(String name, byte type, int mode) {
    TarArchiveEntry e = new TarArchiveEntry(name, type, true);
    e.setMode(mode);
    e.setLastModifiedTime(MTIME);
    e.setUserId(1000);
    e.setGroupId(1001);
    return e;
  }
}
