package dev.hoist.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Builds OCI image layouts from real files on this machine, with {@code umoci} (and, for the large
 * fixture, a streaming writer), for pushing to a {@link LocalRegistry}.
 *
 * <p>Each fixture writes below the {@code workDir} it is given and leaves cleaning up to the caller
 * (typically a JUnit {@code @TempDir}).
 */
public final class TestImages {
  private static final Path LICENSES = Path.of("/usr/share/common-licenses");
  private static final List<String> ETC_FILES =
      List.of(
          "passwd",
          "group",
          "hosts",
          "services",
          "protocols",
          "debian_version",
          "adduser.conf",
          "login.defs",
          "mime.types");
  private static final List<String> DOC_PACKAGES =
      List.of("apt", "bash", "coreutils", "skopeo", "umoci", "openssl");

  /** Two images built on one base: both list the base's only layer as their bottom layer. */
  public record SharedBase(OciLayoutImage base, OciLayoutImage first, OciLayoutImage second) {}

  private TestImages() {}

  /**
   * Three gzip layers: {@code /usr/share/common-licenses}, some files of {@code /etc}, then {@code
   * /usr/share/doc} of a few packages plus a whiteout deleting {@code Apache-2.0} of the first
   * layer. Tagged {@code multi} in {@code workDir/multi-layer}.
   */
  public static OciLayoutImage multiLayer(Path workDir) throws IOException {
    Umoci umoci = Umoci.init(workDir.resolve("multi-layer"), "multi");
    Path bundle = umoci.unpack("multi", workDir.resolve("multi-bundle"));
    copyTree(LICENSES, bundle.resolve("rootfs/usr/share/common-licenses"));
    umoci.repack("multi", bundle, "licenses");
    copyEtc(bundle.resolve("rootfs/etc"));
    umoci.repack("multi", bundle, "etc");
    copyDocs(bundle.resolve("rootfs/usr/share/doc"));
    Files.delete(bundle.resolve("rootfs/usr/share/common-licenses/Apache-2.0"));
    umoci.repack("multi", bundle, "docs and a whiteout");
    return new OciLayoutImage(umoci.layout(), "multi", 3);
  }

  /**
   * One layout, {@code workDir/shared-base}, with tags {@code base} (one layer of licenses), {@code
   * first} (base + {@code /etc} files) and {@code second} (base + package docs).
   */
  public static SharedBase sharingBase(Path workDir) throws IOException {
    Umoci umoci = Umoci.init(workDir.resolve("shared-base"), "base");
    Path bundle = umoci.unpack("base", workDir.resolve("base-bundle"));
    copyTree(LICENSES, bundle.resolve("rootfs/usr/share/common-licenses"));
    umoci.repack("base", bundle, "licenses");

    umoci.tag("base", "first");
    Path first = umoci.unpack("first", workDir.resolve("first-bundle"));
    copyEtc(first.resolve("rootfs/etc"));
    umoci.repack("first", first, "etc");

    umoci.tag("base", "second");
    Path second = umoci.unpack("second", workDir.resolve("second-bundle"));
    copyDocs(second.resolve("rootfs/usr/share/doc"));
    umoci.repack("second", second, "docs");

    Path layout = umoci.layout();
    return new SharedBase(
        new OciLayoutImage(layout, "base", 1),
        new OciLayoutImage(layout, "first", 2),
        new OciLayoutImage(layout, "second", 2));
  }

  /**
   * One uncompressed layer ({@code application/vnd.oci.image.layer.v1.tar}) holding a single file
   * of {@code bytes} pseudo-random bytes, so the blob is slightly bigger than {@code bytes}.
   * Written streaming, in bounded memory. Tagged {@code large} in {@code workDir/large-layer}.
   */
  public static OciLayoutImage largeLayer(Path workDir, long bytes) throws IOException {
    return LargeLayerImage.write(workDir.resolve("large-layer"), "large", bytes);
  }

  /**
   * An OCI image index tagged {@code multi} in {@code workDir/multi-platform}. Its first entry is
   * of the unknown media type {@code application/vnd.example.unknown+json}, without a platform;
   * then come images for {@code linux/amd64}, {@code linux/arm64/v8}, {@code linux/arm/v7} and
   * {@code windows/amd64}, each with two layers of different real files and a config naming its
   * platform.
   */
  public static MultiPlatformImage multiPlatform(Path workDir) throws IOException {
    return MultiPlatformLayout.write(workDir, "multi");
  }

  private static void copyEtc(Path target) throws IOException {
    Files.createDirectories(target);
    for (String name : ETC_FILES) {
      Path source = Path.of("/etc", name);
      if (Files.isRegularFile(source) && Files.isReadable(source)) {
        Files.copy(source, target.resolve(name), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  private static void copyDocs(Path target) throws IOException {
    for (String pkg : DOC_PACKAGES) {
      Path source = Path.of("/usr/share/doc", pkg);
      if (Files.isDirectory(source)) {
        copyTree(source, target.resolve(pkg));
      }
    }
  }

  /** Copies a tree, keeping symlinks as symlinks. */
  static void copyTree(Path source, Path target) throws IOException {
    List<Path> paths = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(source)) {
      walk.forEach(paths::add);
    }
    for (Path p : paths) {
      Path dest = target.resolve(source.relativize(p).toString());
      if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectories(dest);
      } else {
        Files.createDirectories(dest.getParent());
        Files.copy(p, dest, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  /** The few umoci commands the fixtures need, on one layout. */
  private record Umoci(Path layout) {
    static Umoci init(Path layout, String tag) throws IOException {
      Files.createDirectories(layout.getParent());
      Umoci umoci = new Umoci(layout);
      umoci.run("init", "--layout", layout.toString());
      umoci.run("new", "--image", umoci.ref(tag));
      umoci.run(
          "config",
          "--no-history",
          "--image",
          umoci.ref(tag),
          "--os",
          "linux",
          "--architecture",
          "amd64");
      return umoci;
    }

    Path unpack(String tag, Path bundle) throws IOException {
      run("unpack", "--rootless", "--image", ref(tag), bundle.toString());
      return bundle;
    }

    void repack(String tag, Path bundle, String comment) throws IOException {
      run(
          "repack",
          "--refresh-bundle",
          "--history.comment",
          comment,
          "--image",
          ref(tag),
          bundle.toString());
    }

    void tag(String from, String to) throws IOException {
      run("tag", "--image", ref(from), to);
    }

    private String ref(String tag) {
      return layout + ":" + tag;
    }

    private void run(String... args) throws IOException {
      List<String> cmd = new ArrayList<>(List.of("umoci"));
      cmd.addAll(List.of(args));
      Tools.run(cmd, layout.getParent());
    }
  }
}
