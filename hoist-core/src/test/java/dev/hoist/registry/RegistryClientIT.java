package dev.hoist.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hoist.image.Descriptor;
import dev.hoist.image.MediaTypes;
import dev.hoist.reference.ImageReference;
import dev.hoist.testing.LocalRegistry;
import dev.hoist.testing.OciLayoutImage;
import dev.hoist.testing.TestImages;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against the real CNCF distribution registry. */
class RegistryClientIT {
  @Test
  void listsEveryTagAcrossPages(@TempDir Path work) throws Exception {
    OciLayoutImage image = TestImages.sharingBase(work).base();
    try (LocalRegistry registry = LocalRegistry.anonymous()) {
      List<String> pushed = List.of("a", "b", "c", "d", "e");
      for (String tag : pushed) {
        registry.push(image, "team/tags", tag);
      }
      RegistryClient client = RegistryClient.builder().build();
      ImageReference repo = ImageReference.parse(registry.host() + "/team/tags");

      // distribution 2.8 pages in its own order; what matters is every tag, each once.
      assertThat(client.listTags(repo, 2)).containsExactlyInAnyOrderElementsOf(pushed);
      assertThat(client.listTags(repo, 100)).containsExactlyInAnyOrderElementsOf(pushed);
    }
  }

  @Test
  void resolvesATagWithHeadWithoutFetchingTheBody(@TempDir Path work) throws Exception {
    OciLayoutImage image = TestImages.sharingBase(work).base();
    try (LocalRegistry registry = LocalRegistry.anonymous()) {
      String digest = registry.push(image, "team/head", "v1");
      RegistryClient client = RegistryClient.builder().build();
      ImageReference ref = ImageReference.parse(registry.host() + "/team/head:v1");

      Optional<Descriptor> head = client.headManifest(ref, "v1");

      assertThat(head).get().satisfies(d -> {
        assertThat(d.digest()).hasToString(digest);
        assertThat(d.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
      });
      assertThat(client.headManifest(ref, "missing")).isEmpty();
    }
  }
}
