package dev.hoist.cli;

import picocli.CommandLine;

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
    return commandLine().execute(args);
  }

  static CommandLine commandLine() {
    CommandLine cmd = new CommandLine(new HoistCommand());
    // docker's "image ls" and "image rm" are "images" and "rmi" under their group's names.
    CommandLine image = cmd.getSubcommands().get("image");
    image.addSubcommand("ls", new CommandLine(new ImagesCommand()));
    image.addSubcommand("rm", new CommandLine(new RmiCommand()));
    return cmd
        .setExecutionExceptionHandler(new Errors())
        .setParameterExceptionHandler(Errors::onParameterError);
  }
}
