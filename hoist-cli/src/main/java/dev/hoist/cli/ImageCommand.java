package dev.hoist.cli;

import picocli.CommandLine.Command;

/** {@code hoist image …}: docker's management command group for images. */
@Command(
    name = "image",
    mixinStandardHelpOptions = true,
    description = "Manage images: ls, inspect, tag, rm, prune.",
    subcommands = {InspectCommand.class, TagCommand.class, PruneCommand.ImagePrune.class})
final class ImageCommand {}
