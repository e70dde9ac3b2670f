package dev.hoist.config;

import java.io.IOException;

/** The configuration file cannot be used; the message names the file and the key. */
public final class InvalidConfigException extends IOException {
  private static final long serialVersionUID = 1L;

  public InvalidConfigException(String message) {
    super(message);
  }
}
