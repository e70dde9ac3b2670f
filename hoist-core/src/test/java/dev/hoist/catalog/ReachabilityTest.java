package dev.hoist.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hoist.image.Descriptor;
import dev.hoist.image.Digest;
import dev.hoist.image.MediaTypes;
import dev.hoist.store.ImageRefs;
import dev.hoist.store.OciStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReachabilityTest {
  @TempDir Path dir;

  private static Descriptor put(OciStore store, String mediaType, String content) throws Exception {
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    Descriptor d = Descriptor.of(mediaType, Digest.sha256(bytes), bytes.length);
    store.write(d, bytes);
    return d;
  }

  private static String json(Descriptor d) {
    return "{\"mediaType\":\"" + d.mediaType() + "\",\"digest\":\"" + d.digest() + "\",\"size\":"
        + d.size() + "}";
  }

  private static String manifest(Descriptor config, Descriptor layer) {
    // No mediaType field, as OCI 1.0 allowed: the descriptor that names it decides its type.
    return "{\"schemaVersion\":2,\"config\":" + json(config) + ",\"layers\":[" + json(layer) + "]}";
  }

  @Test
  void anEntryReachesItsManifestConfigAndLayersTypedByTheEntrysDescriptor() throws Exception {
    OciStore store = OciStore.open(dir);
    Descriptor config = put(store, MediaTypes.OCI_CONFIG, "{}");
    Descriptor layer = put(store, MediaTypes.OCI_LAYER, "layer");
    Descriptor entry = put(store, MediaTypes.OCI_MANIFEST, manifest(config, layer));
    put(store, MediaTypes.OCI_LAYER, "unreferenced");

    assertThat(Reachability.from(store, List.of(entry)))
        .containsExactly(entry.digest(), config.digest(), layer.digest());
  }

  @Test
  void anEntryKeepsTheIndexItResolvedFromAndThatIndexsStoredChildren() throws Exception {
    OciStore store = OciStore.open(dir);
    Descriptor config = put(store, MediaTypes.DOCKER_CONFIG, "{}");
    Descriptor layer = put(store, MediaTypes.DOCKER_LAYER, "layer");
    Descriptor dockerManifest = put(store, MediaTypes.DOCKER_MANIFEST, manifest(config, layer));
    Descriptor index = put(store, MediaTypes.DOCKER_MANIFEST_LIST,
        "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST_LIST
            + "\",\"manifests\":[" + json(dockerManifest) + "]}");
    // The entry names the OCI form of the docker manifest, as a pull writes it.
    Descriptor entry = put(store, MediaTypes.OCI_MANIFEST, manifest(config, layer) + " ")
        .withAnnotations(Map.of(ImageRefs.RESOLVED_DIGEST, index.digest().toString()));

    assertThat(Reachability.from(store, List.of(entry))).containsExactlyInAnyOrder(
        entry.digest(), index.digest(), dockerManifest.digest(), config.digest(), layer.digest());
  }

  @Test
  void aManifestWhoseEntryNamesAnotherTypeStillKeepsItsConfigAndLayers() throws Exception {
    OciStore store = OciStore.open(dir);
    Descriptor config = put(store, MediaTypes.DOCKER_CONFIG, "{}");
    Descriptor layer = put(store, MediaTypes.DOCKER_LAYER, "layer");
    String declaresDocker = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST
        + "\",\"config\":" + json(config) + ",\"layers\":[" + json(layer) + "]}";
    // An archive's index.json labelled it OCI: a wrong label must not let collection take its blobs.
    Descriptor entry = put(store, MediaTypes.OCI_MANIFEST, declaresDocker);

    assertThat(Reachability.from(store, List.of(entry)))
        .containsExactlyInAnyOrder(entry.digest(), config.digest(), layer.digest());
  }

  @Test
  void anIndexWithoutMediaTypeThatAnEntryResolvedFromKeepsAllItsStoredChildren() throws Exception {
    OciStore store = OciStore.open(dir);
    Descriptor config = put(store, MediaTypes.OCI_CONFIG, "{}");
    Descriptor layer = put(store, MediaTypes.OCI_LAYER, "layer");
    Descriptor amd64 = put(store, MediaTypes.OCI_MANIFEST, manifest(config, layer));
    Descriptor otherLayer = put(store, MediaTypes.OCI_LAYER, "arm64 layer");
    Descriptor arm64 = put(store, MediaTypes.OCI_MANIFEST, manifest(config, otherLayer));
    Descriptor index = put(store, MediaTypes.OCI_INDEX,
        "{\"schemaVersion\":2,\"manifests\":[" + json(amd64) + "," + json(arm64) + "]}");
    Descriptor entry = amd64.withAnnotations(Map.of(ImageRefs.RESOLVED_DIGEST, index.digest().toString()));

    assertThat(Reachability.from(store, List.of(entry))).containsExactlyInAnyOrder(index.digest(),
        amd64.digest(), arm64.digest(), config.digest(), layer.digest(), otherLayer.digest());
  }
}
