package dev.hoist.cli.progress;

import java.util.Locale;

/**
 * Sizes and bars as docker prints them: decimal units with four significant digits
 * ({@code 12.35MB}, go-units' {@code HumanSize}) and jsonmessage's 50-cell bar.
 */
public final class Units {
  private static final String[] UNITS = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  static final int BAR_CELLS = 50;

  private Units() {}

  /** {@code 1234567} is {@code 1.235MB}. */
  public static String size(long bytes) {
    return size(bytes, 4);
  }

  /**
   * With {@code digits} significant digits, as go-units' {@code HumanSizeWithPrecision}; {@code
   * docker images} uses 3 ({@code 1.23MB}).
   */
  public static String size(long bytes, int digits) {
    double value = bytes;
    int unit = 0;
    while (value >= 1000 && unit < UNITS.length - 1) {
      value /= 1000;
      unit++;
    }
    return significant(value, digits) + UNITS[unit];
  }

  /** Go's {@code %.Ng}: N significant digits, no trailing zeros. */
  private static String significant(double value, int digits) {
    if (value == 0) {
      return "0";
    }
    String s = String.format(Locale.ROOT, "%." + digits + "g", value);
    if (s.contains("e")) {
      return s;
    }
    if (s.contains(".")) {
      s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
    return s;
  }

  /** Docker's progress text: {@code [=====>      ]  12.3MB/45.6MB}, the bar only when asked for. */
  public static String progress(long current, long total, boolean withBar) {
    String numbers = String.format(Locale.ROOT, "%8s/%s", size(current), size(total));
    if (!withBar || total <= 0) {
      return numbers.trim().isEmpty() ? "" : numbers;
    }
    int filled = (int) Math.min(BAR_CELLS, BAR_CELLS * current / total);
    // jsonmessage always draws the head: 50 cells of '=' and space around one '>'.
    return "[" + "=".repeat(filled) + ">" + " ".repeat(BAR_CELLS - filled) + "] " + numbers;
  }
}
