package dev.hoist.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code hoist} command line. The only place that calls {@link System#exit}. */
public final class Main {
  private static final String TUNNELING = "jdk.http.auth.tunneling.disabledSchemes";

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs hoist with {@code args} and returns the exit code; for tests and embedding. */
  static int run(String... args) {
    boolean debug = java.util.Arrays.asList(args).contains("--debug");
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", debug ? "debug" : "warn");
    System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
    // docker sends a proxy URL's credentials through HTTPS tunnels too; the JDK does only when
    // Basic is not disabled for tunnels, as it is by default. A java -D setting still wins.
    if (System.getProperty(TUNNELING) == null) {
      System.setProperty(TUNNELING, "");
    }
    return commandLine(args).execute(args);
  }

  /** The whole command line, every subcommand registered (for help and tests). */
  static CommandLine commandLine() {
    return commandLine(new String[0]);
  }

  /**
   * The command line for {@code args}: only the subcommand they name is registered (every one
   * when they name none, so that help and "unknown command" errors list them all).
   */
  static CommandLine commandLine(String[] args) {
    String named = java.util.Arrays.stream(args).filter(a -> !a.startsWith("-")).findFirst().orElse(null);
    List<Class<?>> chosen = HoistCommand.SUBCOMMANDS.stream().filter(c -> names(c).contains(named)).toList();
    CommandLine cmd = new CommandLine(HoistCommand.create());
    for (Class<?> command : chosen.isEmpty() ? HoistCommand.SUBCOMMANDS : chosen) {
      cmd.addSubcommand(new CommandLine(command));
    }
    CommandLine image = cmd.getSubcommands().get("image");
    if (image != null) {
      // docker's "image ls" and "image rm" are "images" and "rmi" under their group's names.
      image.addSubcommand("ls", new CommandLine(new ImagesCommand()));
      image.addSubcommand("rm", new CommandLine(new RmiCommand()));
    }
    return cmd
        .setExecutionExceptionHandler(new Errors())
        .setParameterExceptionHandler(Errors::onParameterError);
  }

  private static List<String> names(Class<?> command) {
    Command annotation = command.getAnnotation(Command.class);
    List<String> names = new java.util.ArrayList<>(List.of(annotation.aliases()));
    names.add(annotation.name());
    return names;
  }
}
