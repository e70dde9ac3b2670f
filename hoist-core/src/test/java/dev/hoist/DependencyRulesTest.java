package dev.hoist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layering of hoist's packages, tested rather than only written down (go-containerregistry's
 * depcheck is the idea): each package may use only the packages listed for it, so there are no
 * cycles and the command line sees only the library's API.
 */
class DependencyRulesTest {
  private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
      Map.entry("platform", Set.of()),
      Map.entry("internal", Set.of()),
      Map.entry("auth", Set.of("internal")),
      Map.entry("config", Set.of("internal")),
      Map.entry("image", Set.of("platform", "internal")),
      Map.entry("reference", Set.of("image")),
      Map.entry("hosts", Set.of("reference")),
      Map.entry("registry", Set.of("hosts", "reference", "image", "auth", "config", "internal")),
      Map.entry("store", Set.of("image", "platform", "internal")),
      Map.entry("transfer", Set.of("registry", "store", "image", "reference")),
      Map.entry("unpack", Set.of("image", "store", "reference", "internal")),
      Map.entry("catalog", Set.of("store", "image", "reference", "platform", "internal")),
      Map.entry("archive", Set.of("catalog", "image", "store", "reference", "platform", "internal")),
      Map.entry("pull", Set.of("transfer", "registry", "store", "unpack", "platform", "reference", "image")),
      Map.entry("", Set.of("archive", "catalog", "config", "pull", "unpack", "store", "registry", "hosts", "transfer", "auth", "platform", "reference", "image")),
      Map.entry("cli", Set.of("", "archive", "catalog", "config", "pull", "unpack", "store", "registry", "hosts", "auth", "platform", "reference", "image")));

  private static final Pattern USE = Pattern.compile("\\bdev\\.hoist\\.([a-z]+)\\b(?!\\s*;\\s*$)");

  @Test
  void everyPackageUsesOnlyTheLayersBelowIt() throws IOException {
    List<String> violations = new ArrayList<>();
    int files = check(Path.of("src/main/java/dev/hoist"), violations)
        + check(Path.of("../hoist-cli/src/main/java/dev/hoist"), violations);
    assertThat(files).as("source files checked").isGreaterThan(50);
    assertThat(violations).isEmpty();
  }

  private static int check(Path sources, List<String> violations) throws IOException {
    try (Stream<Path> walk = Files.walk(sources)) {
      List<Path> files = walk.filter(f -> f.toString().endsWith(".java")).toList();
      for (Path file : files) {
        String own = packageOf(sources.relativize(file));
        Set<String> allowed = ALLOWED.get(own);
        assertThat(allowed).as("a rule for package '%s' (%s)", own, file).isNotNull();
        for (String line : Files.readAllLines(file)) {
          if (line.startsWith("package ")) {
            continue;
          }
          Matcher m = USE.matcher(line.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\""));
          while (m.find()) {
            String used = isType(m.group(1)) ? "" : m.group(1);
            if (!used.equals(own) && !allowed.contains(used)) {
              violations.add(file + " (" + label(own) + ") uses " + label(used) + ": " + line.trim());
            }
          }
        }
      }
      return files.size();
    }
  }

  /** {@code dev.hoist.Hoist} is the root package, not a package named "Hoist". */
  private static boolean isType(String segment) {
    return Character.isUpperCase(segment.charAt(0));
  }

  private static String packageOf(Path relative) {
    return relative.getNameCount() == 1 ? "" : relative.getName(0).toString();
  }

  private static String label(String pkg) {
    return pkg.isEmpty() ? "dev.hoist" : "dev.hoist." + pkg;
  }
}
