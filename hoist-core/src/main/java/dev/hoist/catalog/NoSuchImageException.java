package dev.hoist.catalog;

import java.io.IOException;

/** The store holds no image by the name or ID given (docker: "No such image: X"). */
public final class NoSuchImageException extends IOException {
  private static final long serialVersionUID = 1L;

  public NoSuchImageException(String nameOrId) {
    super("No such image: " + nameOrId);
  }
}
