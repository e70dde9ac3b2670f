package dev.hoist.unpack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hoist.image.Descriptor;
import dev.hoist.image.Digest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootfsWriterTest {
  private static final UnpackOptions OPTIONS = UnpackOptions.defaults();

  @TempDir Path parent;

  @Test
  void theTreeAppearsUnderTheTargetNameOnlyWhenPublished() throws IOException {
    Path target = parent.resolve("rootfs");
    try (RootfsWriter writer = RootfsWriter.create(target, OPTIONS, note -> {})) {
      apply(writer, new TestLayer().file("etc/hostname", "box").bytes());
      assertThat(target).doesNotExist();
      writer.publish();
    }
    assertThat(target.resolve("etc/hostname")).hasContent("box");
    assertThat(names()).containsExactly("rootfs");
  }

  @Test
  void aTargetFilledByAnotherProcessMeanwhileIsLeftAsItIs() throws IOException {
    Path target = Files.createDirectory(parent.resolve("rootfs"));
    try (RootfsWriter writer = RootfsWriter.create(target, OPTIONS, note -> {})) {
      apply(writer, new TestLayer().file("etc/hostname", "box").bytes());
      Files.writeString(target.resolve("theirs"), "kept");

      assertThatThrownBy(writer::publish)
          .isInstanceOf(IOException.class)
          .hasMessage(target + " was filled by something else while the image was unpacked;"
              + " it is left as it is, and the unpacked tree is discarded");
    }
    assertThat(target.resolve("theirs")).hasContent("kept");
    assertThat(names()).containsExactly("rootfs");
  }

  private static void apply(RootfsWriter writer, byte[] tar) throws IOException {
    Descriptor layer = Descriptor.of(
        "application/vnd.oci.image.layer.v1.tar", Digest.sha256(tar), tar.length);
    writer.apply(layer, Digest.sha256(tar), new ByteArrayInputStream(tar), read -> {});
  }

  private List<String> names() throws IOException {
    try (Stream<Path> entries = Files.list(parent)) {
      return entries.map(p -> p.getFileName().toString()).toList();
    }
  }
}
