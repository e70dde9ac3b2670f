package dev.hoist.catalog;

import dev.hoist.image.Digest;
import dev.hoist.store.OciStore;
import dev.hoist.store.StoreLease;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Frees what nothing needs: blobs no index entry reaches (left by removed images, interrupted
 * pulls or other tools), partial downloads and hoist's stale working files. Holds the store's
 * exclusive lease, so it waits for running pulls, loads and unpacks, and they wait for it.
 */
public final class GarbageCollector {
  private final OciStore store;

  public GarbageCollector(OciStore store) {
    this.store = Objects.requireNonNull(store, "store == null");
  }

  /**
   * What a collection freed.
   *
   * @param deletedBlobs the unreferenced blobs deleted
   * @param blobBytes their size
   * @param partialBytes the size of the partial downloads deleted
   */
  public record Report(List<Digest> deletedBlobs, long blobBytes, long partialBytes) {
    public Report {
      deletedBlobs = List.copyOf(deletedBlobs);
    }

    /** Everything freed, in bytes. */
    public long reclaimedBytes() {
      return blobBytes + partialBytes;
    }
  }

  /** Deletes every blob no index entry reaches, then hoist's leftovers. */
  public Report collect() throws IOException {
    try (StoreLease lease = store.exclusiveLease()) {
      Set<Digest> reachable = Reachability.from(store, store.refs().list());
      List<Digest> deleted = new ArrayList<>();
      long bytes = 0;
      for (Digest blob : store.blobs()) {
        if (reachable.contains(blob)) {
          continue;
        }
        long size = store.size(blob);
        if (store.delete(blob, lease)) {
          deleted.add(blob);
          bytes += size;
        }
      }
      long partials = store.sweepWorkFiles(lease);
      return new Report(deleted, bytes, partials);
    }
  }
}
