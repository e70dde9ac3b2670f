package dev.hoist.catalog;

import dev.hoist.image.Digest;
import java.util.ArrayList;
import java.util.List;

/**
 * What a removal did, in docker's terms: the references untagged (familiar form, such as {@code
 * busybox:latest}) and the blobs deleted, the image ID first. Immutable.
 *
 * @param reclaimedBytes the size of the deleted blobs
 */
public record Removal(List<String> untagged, List<Digest> deleted, long reclaimedBytes) {
  public static final Removal NOTHING = new Removal(List.of(), List.of(), 0);

  public Removal {
    untagged = List.copyOf(untagged);
    deleted = List.copyOf(deleted);
  }

  /** This removal followed by {@code next}. */
  public Removal plus(Removal next) {
    List<String> u = new ArrayList<>(untagged);
    u.addAll(next.untagged);
    List<Digest> d = new ArrayList<>(deleted);
    d.addAll(next.deleted);
    return new Removal(u, d, reclaimedBytes + next.reclaimedBytes);
  }
}
