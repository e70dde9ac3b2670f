package dev.hoist.store;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The store could not be written: a full disk, a read-only or vanished directory. Retrying the
 * download would not help; free space (or choose another store) and pull again. Nothing partial is
 * committed.
 */
public final class StoreWriteException extends IOException {
  public StoreWriteException(Path store, IOException cause) {
    super("cannot write to the store " + store + ": " + describe(cause), cause);
  }

  private static String describe(IOException e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }
}
