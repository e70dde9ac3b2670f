package dev.hoist.cli;

import picocli.CommandLine.Command;

/** {@code hoist system …}: what concerns the whole store. */
@Command(
    name = "system",
    mixinStandardHelpOptions = true,
    description = "Manage the store as a whole.",
    subcommands = {PruneCommand.SystemPrune.class})
final class SystemCommand {}
