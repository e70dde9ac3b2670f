package dev.hoist.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hoist.testing.LocalRegistry;
import dev.hoist.testing.OciLayoutImage;
import dev.hoist.testing.TestImages;
import dev.hoist.testing.Tools;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The live view in a real pseudo-terminal (tmux), judged by the final screen a person sees. */
class TerminalProgressIT {
  @Test
  void leavesOneCleanLinePerLayerOnTheFinalScreenOfAPullThatUnpacks(@TempDir Path work) throws Exception {
    OciLayoutImage image = TestImages.multiLayer(work.resolve("fixture"));
    try (LocalRegistry registry = LocalRegistry.anonymous()) {
      String digest = registry.push(image, "team/tty", "v1");
      String ref = registry.host() + "/team/tty:v1";
      String session = "hoist-test-" + ProcessHandle.current().pid();
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Path rootfs = work.resolve("rootfs");
      String command = java + " -jar " + System.getProperty("hoist.jar") + " pull --store "
          + work.resolve("store") + " --unpack " + rootfs + " " + ref + "; echo EXIT=$?; sleep 120";
      Tools.run(List.of("tmux", "new-session", "-d", "-x", "150", "-y", "40", "-s", session, command), work);
      try {
        String screen = awaitScreen(session, work, "EXIT=", Duration.ofMinutes(2));

        assertThat(screen).contains("EXIT=0");
        assertThat(screen).doesNotContain("\u001b").doesNotContain("[2K").doesNotContain("Downloading");
        List<String> lines = screen.lines().map(String::stripTrailing).toList();
        for (String layer : image.layerDigests()) {
          assertThat(lines).containsOnlyOnce(layer.substring(7, 19) + ": Pull complete");
        }
        assertThat(lines).contains("v1: Pulling from team/tty", "Digest: " + digest,
            "Status: Downloaded newer image for " + ref, ref);
        assertThat(lines).anyMatch(l -> l.matches("Fetched \\S+, reused \\S+ in [0-9.]+s \\(\\S+/s\\)"));
        assertThat(rootfs.resolve("etc/passwd")).as("unpacked by the packaged jar").isRegularFile();
      } finally {
        new ProcessBuilder("tmux", "kill-session", "-t", session).start().waitFor();
      }
    }
  }

  private static String awaitScreen(String session, Path dir, String marker, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    String screen = "";
    while (System.nanoTime() < deadline) {
      screen = Tools.run(List.of("tmux", "capture-pane", "-p", "-t", session), dir);
      if (screen.contains(marker)) {
        return screen;
      }
      Thread.sleep(200);
    }
    return screen;
  }
}
