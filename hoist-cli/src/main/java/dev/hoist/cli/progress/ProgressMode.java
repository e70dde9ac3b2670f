package dev.hoist.cli.progress;

/** {@code --progress}: how a pull shows its progress. */
public enum ProgressMode {
  /** A terminal view on an interactive terminal that can take it; plain lines elsewhere. */
  AUTO,
  /** Docker's live view: one line per layer, redrawn in place. */
  TTY,
  /** One line per change of state, no escape codes: for logs and pipes. */
  PLAIN,
  /** Docker Engine API messages, one JSON object per line. */
  JSON,
  /** Nothing but errors and the final reference. */
  QUIET;

  /** AUTO resolved for this process: TTY when stdout is a terminal and TERM is not dumb. */
  ProgressMode resolve() {
    if (this != AUTO) {
      return this;
    }
    String term = System.getenv("TERM");
    boolean terminal = Terminals.isTerminal(Terminals.STDOUT) && term != null && !term.isEmpty() && !term.equals("dumb");
    return terminal ? TTY : PLAIN;
  }
}
