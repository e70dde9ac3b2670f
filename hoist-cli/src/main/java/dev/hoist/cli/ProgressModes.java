package dev.hoist.cli;

import dev.hoist.cli.progress.ProgressMode;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads {@code --progress auto|tty|plain|json}, case-insensitively. */
final class ProgressModes implements ITypeConverter<ProgressMode> {
  @Override
  public ProgressMode convert(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "auto" -> ProgressMode.AUTO;
      case "tty" -> ProgressMode.TTY;
      case "plain" -> ProgressMode.PLAIN;
      case "json" -> ProgressMode.JSON;
      default -> throw new TypeConversionException(
          "invalid progress mode '" + value + "': expected auto, tty, plain or json");
    };
  }
}
