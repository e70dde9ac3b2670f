package dev.hoist.pull;

import dev.hoist.image.Descriptor;
import dev.hoist.image.ImageIndex;
import dev.hoist.image.InvalidManifestException;
import dev.hoist.image.MediaTypes;
import dev.hoist.image.Platform;
import dev.hoist.reference.ImageReference;
import java.util.Locale;

/**
 * Picks the manifest for this machine out of an index: the first image manifest whose OS and
 * architecture are the host's. Entries of unknown types are skipped, as the OCI spec requires.
 */
final class PlatformChoice {
  private PlatformChoice() {}

  static Descriptor choose(ImageIndex index, ImageReference ref) throws InvalidManifestException {
    Platform host = host();
    for (Descriptor d : index.manifests()) {
      if (!MediaTypes.isImageManifest(d.mediaType()) || d.platform() == null) {
        continue;
      }
      if (d.platform().os().equals(host.os()) && d.platform().architecture().equals(host.architecture())) {
        return d;
      }
    }
    throw new InvalidManifestException(
        "no matching manifest for " + host + " in the manifest list entries");
  }

  /** This machine's platform in OCI words: {@code linux/amd64}, {@code linux/arm64}. */
  static Platform host() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    String ociOs = os.startsWith("windows") ? "windows" : os.startsWith("mac") ? "darwin" : os;
    String ociArch = switch (arch) {
      case "x86_64", "amd64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      case "x86", "i386", "i686" -> "386";
      default -> arch;
    };
    return Platform.of(ociOs, ociArch, "");
  }
}
