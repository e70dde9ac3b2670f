package dev.hoist.pull;

/** The states a layer goes through in a pull, with the words docker prints for them. */
public enum LayerStatus {
  PULLING_FS_LAYER("Pulling fs layer"),
  WAITING("Waiting"),
  DOWNLOADING("Downloading"),
  RETRYING("Retrying"),
  VERIFYING_CHECKSUM("Verifying Checksum"),
  DOWNLOAD_COMPLETE("Download complete"),
  EXTRACTING("Extracting"),
  PULL_COMPLETE("Pull complete"),
  ALREADY_EXISTS("Already exists");

  private final String text;

  LayerStatus(String text) {
    this.text = text;
  }

  /** Docker's words for this state, e.g. {@code Pull complete}. */
  public String text() {
    return text;
  }

  /** Whether the layer is done: nothing more will be reported for it. */
  public boolean isFinal() {
    return this == PULL_COMPLETE || this == ALREADY_EXISTS;
  }
}
