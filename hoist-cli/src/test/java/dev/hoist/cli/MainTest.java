package dev.hoist.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MainTest {
  @Test
  void registersOnlyTheSubcommandTheArgumentsName() {
    assertThat(Main.commandLine(new String[] {"pull", "-q", "busybox"}).getSubcommands())
        .containsOnlyKeys("pull");
    assertThat(Main.commandLine(new String[] {"fsck"}).getSubcommands()).containsOnlyKeys("verify", "fsck");
    assertThat(Main.commandLine(new String[] {"image", "ls"}).getSubcommands().get("image").getSubcommands())
        .containsKeys("ls", "rm", "prune", "inspect", "tag");
  }

  @Test
  void registersEverySubcommandForHelpAndUnknownOnes() {
    assertThat(Main.commandLine(new String[] {"--help"}).getSubcommands())
        .hasSize(HoistCommand.SUBCOMMANDS.size() + 1); // verify's alias fsck
    CliRun unknown = CliRun.of("bogus");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(CliRun.of("--help").out()).contains("pull", "images", "rmi", "save", "login", "verify", "info");
  }
}
