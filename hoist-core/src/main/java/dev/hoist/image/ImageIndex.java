package dev.hoist.image;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** An OCI image index or Docker manifest list: manifests for several platforms. Immutable. */
public record ImageIndex(String mediaType, List<Descriptor> manifests, Map<String, String> annotations)
    implements Manifest {

  public ImageIndex {
    Objects.requireNonNull(mediaType, "mediaType == null");
    manifests = List.copyOf(manifests);
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
  }
}
