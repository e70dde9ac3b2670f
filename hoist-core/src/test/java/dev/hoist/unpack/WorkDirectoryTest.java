package dev.hoist.unpack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkDirectoryTest {
  @TempDir Path parent;

  @Test
  void buildsInAHiddenLockedSiblingAndRemovesBothOnClose() throws IOException {
    Path target = parent.resolve("rootfs");
    WorkDirectory work = WorkDirectory.create(target);
    Files.writeString(work.path().resolve("file"), "x");

    assertThat(work.path().getParent()).isEqualTo(parent);
    assertThat(work.path().getFileName().toString()).startsWith(".rootfs.hoist-");
    assertThat(siblings()).containsExactlyInAnyOrder(
        work.path().getFileName().toString(), work.path().getFileName() + ".lock");

    work.close();
    assertThat(siblings()).isEmpty();
  }

  @Test
  void aMovedDirectoryStaysAndOnlyItsLockGoes() throws IOException {
    Path target = parent.resolve("rootfs");
    try (WorkDirectory work = WorkDirectory.create(target)) {
      work.moveTo(target);
    }
    assertThat(siblings()).containsExactly("rootfs");
  }

  @Test
  void theWorkDirectoryOfAProcessThatDiedIsRemovedByTheNextUnpack() throws Exception {
    Path target = parent.resolve("rootfs");
    Process other = holdWorkDirectory(target);
    String left;
    try {
      left = firstLine(other);
      assertThat(Path.of(left)).isDirectory();
      other.destroyForcibly(); // SIGKILL: no clean-up of its own
      assertThat(other.waitFor(20, TimeUnit.SECONDS)).isTrue();
    } finally {
      other.destroyForcibly();
    }
    assertThat(Path.of(left)).isDirectory();

    try (WorkDirectory next = WorkDirectory.create(target)) {
      assertThat(Path.of(left)).doesNotExist();
      assertThat(Path.of(left + ".lock")).doesNotExist();
      assertThat(next.path()).isDirectory();
    }
  }

  @Test
  void theWorkDirectoryOfARunningProcessIsLeftAlone() throws Exception {
    Path target = parent.resolve("rootfs");
    Process other = holdWorkDirectory(target);
    try {
      String held = firstLine(other);

      try (WorkDirectory next = WorkDirectory.create(target)) {
        assertThat(Path.of(held)).isDirectory();
        assertThat(Path.of(held, "file")).hasContent("partial");
        assertThat(next.path()).isNotEqualTo(Path.of(held));
      }
      other.getOutputStream().close(); // the other process finishes and cleans up
      assertThat(other.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(siblings()).isEmpty();
    } finally {
      other.destroyForcibly();
    }
  }

  @Test
  void anotherUnpackOfThisJvmIsLeftAlone() throws IOException {
    Path target = parent.resolve("rootfs");
    try (WorkDirectory first = WorkDirectory.create(target);
        WorkDirectory second = WorkDirectory.create(target)) {
      assertThat(first.path()).isDirectory();
      assertThat(second.path()).isDirectory().isNotEqualTo(first.path());
    }
    assertThat(siblings()).isEmpty();
  }

  @Test
  void onlyAbandonedWorkDirectoriesOfTheSameTargetAreRemoved() throws IOException {
    Path abandoned = Files.createDirectories(parent.resolve(".rootfs.hoist-123/usr/bin"));
    Files.createFile(parent.resolve(".rootfs.hoist-123.lock"));
    Path orphanLock = Files.createFile(parent.resolve(".rootfs.hoist-124.lock"));
    Path otherTargets = Files.createDirectories(parent.resolve(".rootfs2.hoist-456"));
    Files.createFile(parent.resolve(".rootfs2.hoist-456.lock"));
    Path withoutLockFile = Files.createDirectories(parent.resolve(".rootfs.hoist-789"));
    Path notHoists = Files.createDirectories(parent.resolve(".rootfs.hoist-mine"));
    Files.createFile(parent.resolve(".rootfs.hoist-mine.lock"));

    try (WorkDirectory work = WorkDirectory.create(parent.resolve("rootfs"))) {
      assertThat(abandoned.getParent().getParent()).doesNotExist();
      assertThat(parent.resolve(".rootfs.hoist-123.lock")).doesNotExist();
      assertThat(orphanLock).doesNotExist();
      assertThat(otherTargets).isDirectory();
      assertThat(withoutLockFile).as("no lock file: not known to be hoist's").isDirectory();
      assertThat(notHoists).isDirectory();
    }
  }

  private static String firstLine(Process process) throws IOException {
    String line = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)).readLine();
    assertThat(line).as("the child JVM's work directory (its errors are above)").isNotNull();
    return line;
  }

  private Process holdWorkDirectory(Path target) throws IOException {
    return new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"),
            HoldWorkDirectory.class.getName(), target.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
  }

  /**
   * Makes a work directory for the target given as argument, writes a file in it, prints its
   * path, and closes it when its standard input ends.
   */
  public static final class HoldWorkDirectory {
    public static void main(String[] args) throws IOException {
      try (WorkDirectory work = WorkDirectory.create(Path.of(args[0]))) {
        Files.writeString(work.path().resolve("file"), "partial");
        System.out.println(work.path());
        System.out.flush();
        System.in.readAllBytes();
      }
    }
  }

  private java.util.List<String> siblings() throws IOException {
    try (Stream<Path> entries = Files.list(parent)) {
      return entries.map(p -> p.getFileName().toString()).toList();
    }
  }
}
