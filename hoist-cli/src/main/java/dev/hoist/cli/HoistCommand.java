package dev.hoist.cli;

import java.util.List;
import picocli.CommandLine.Command;

/** The root command: lists the subcommands. */
@Command(
    name = "hoist",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = {
      "Pulls container images from OCI and Docker registries, without a daemon;",
      "unpacks them, lists and removes them, and saves and loads them as docker archives."
    },
    footer = {
      "",
      "Images go to an OCI image layout: $HOIST_HOME, else $XDG_DATA_HOME/hoist, else",
      "~/.local/share/hoist (change it with --store). Credentials come from docker's",
      "config file ($DOCKER_CONFIG/config.json or ~/.docker/config.json) and the credential",
      "helpers it names; 'hoist login' stores them there as 'docker login' does."
    })
final class HoistCommand {
  /**
   * The subcommands, in the order help lists them. {@link Main} registers only the one a command
   * line names: picocli reflects over every command it is given, which costs start-up time.
   */
  static final List<Class<?>> SUBCOMMANDS = List.of(
      PullCommand.class, UnpackCommand.class, ImagesCommand.class, InspectCommand.class,
      TagCommand.class, RmiCommand.class, SaveCommand.class, LoadCommand.class,
      LoginCommand.class, LogoutCommand.class, ImageCommand.class, SystemCommand.class,
      PruneCommand.Gc.class, VerifyCommand.class, InfoCommand.class);

  private HoistCommand() {}

  static HoistCommand create() {
    return new HoistCommand();
  }
}
