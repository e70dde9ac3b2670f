package dev.hoist.image;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An image manifest (OCI image manifest or Docker image manifest v2 schema 2): one config and the
 * layers, base layer first. Immutable.
 *
 * @param artifactType the OCI artifact type; empty for an image
 */
public record ImageManifest(
    String mediaType,
    Descriptor config,
    List<Descriptor> layers,
    Map<String, String> annotations,
    String artifactType)
    implements Manifest {

  public ImageManifest {
    Objects.requireNonNull(mediaType, "mediaType == null");
    Objects.requireNonNull(config, "config == null");
    layers = List.copyOf(layers);
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    artifactType = artifactType == null ? "" : artifactType;
  }
}
