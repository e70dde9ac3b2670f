package dev.hoist.hosts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** containers' {@code registries.conf}: parsing, checks, prefix matching and file precedence. */
class RegistriesConfTest {
  @TempDir Path dir;

  private Path write(String name, String toml) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, toml);
    return file;
  }

  private RegistriesConf load(String toml) throws IOException {
    return RegistriesConf.load(write("registries.conf", toml));
  }

  @Test
  void readsEveryRegistrySetting() throws IOException {
    RegistriesConf conf = load("""
        unqualified-search-registries = ["example.com"]
        short-name-mode = "enforcing"

        [[registry]]
        prefix = "example.com/foo"
        insecure = true
        blocked = false
        location = "internal.example/bar/"

        [[registry.mirror]]
        location = "mirror-0.local/mirror-for-foo"

        [[registry.mirror]]
        location = "mirror-1.local/mirrors/foo"
        insecure = true
        pull-from-mirror = "tag-only"

        [aliases]
        "app" = "example.com/foo/app"
        """);

    RegistriesConf.Entry entry = conf.find("example.com/foo/app:1").orElseThrow();
    assertThat(entry.prefix()).isEqualTo("example.com/foo");
    assertThat(entry.location()).isEqualTo("internal.example/bar");
    assertThat(entry.insecure()).isTrue();
    assertThat(entry.blocked()).isFalse();
    assertThat(entry.mirrors()).containsExactly(
        new RegistriesConf.Mirror("mirror-0.local/mirror-for-foo", false, PullFromMirror.ALL),
        new RegistriesConf.Mirror("mirror-1.local/mirrors/foo", true, PullFromMirror.TAG_ONLY));
    assertThat(entry.source()).isEqualTo(dir.resolve("registries.conf"));
  }

  @Test
  void theLongestMatchingPrefixWinsAndPrefixDefaultsToLocation() throws IOException {
    RegistriesConf conf = load("""
        [[registry]]
        location = "docker.io"
        [[registry]]
        prefix = "docker.io/library"
        location = "mirror.local/hub-library"
        [[registry]]
        prefix = "docker.io/library/busybox:1.36"
        location = "pinned.local/busybox:1.36"
        """);

    assertThat(conf.find("docker.io/library/alpine:3").orElseThrow().prefix()).isEqualTo("docker.io/library");
    assertThat(conf.find("docker.io/user/app:1").orElseThrow().prefix()).isEqualTo("docker.io");
    assertThat(conf.find("docker.io/library/busybox:1.36").orElseThrow().prefix())
        .isEqualTo("docker.io/library/busybox:1.36");
    assertThat(conf.find("docker.io/library/busybox:1.37").orElseThrow().prefix()).isEqualTo("docker.io/library");
    assertThat(conf.find("docker.io/libraryx/app:1").orElseThrow().prefix())
        .as("a prefix ends at / : or @").isEqualTo("docker.io");
    assertThat(conf.find("quay.io/app:1")).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({
    "a.example.com/app:1,        *.example.com, 13",
    "a.b.example.com:5000/app,   *.example.com, 15",
    "example.com/app,            *.example.com, -1",
    "a.example.com.evil/app,     *.example.com, -1",
    "evil.org/a.example.com/app, *.example.com, -1",
    "example.com/foo/bar@sha256:0, example.com/foo, 15",
    "example.com/foobar,         example.com/foo, -1",
    "example.com/foo,            example.com/foo, 15",
  })
  void prefixesMatchAsContainersImageMatchesThem(String reference, String prefix, int length) {
    assertThat(RegistriesConf.matchLength(reference, prefix)).isEqualTo(length);
  }

  @ParameterizedTest
  @CsvSource({
    "example.com/foo/image:latest, example.com/foo, internal.example/bar, internal.example/bar/image:latest",
    "docker.io/library/busybox@sha256:0, docker.io, mirror.local/hub, mirror.local/hub/library/busybox@sha256:0",
    "a.example.com/app:1, *.example.com, mirror.local, mirror.local/app:1",
    "a.example.com/app:1, *.example.com, '', a.example.com/app:1",
  })
  void locationsReplaceTheMatchedPrefix(String reference, String prefix, String location, String rewritten) {
    assertThat(RegistriesConf.rewrite(reference, prefix, location)).isEqualTo(rewritten);
  }

  @Test
  void mirrorByDigestOnlyMakesEveryMirrorDigestOnly() throws IOException {
    RegistriesConf conf = load("""
        [[registry]]
        location = "quay.io"
        mirror-by-digest-only = true
        [[registry.mirror]]
        location = "mirror.local/quay"
        """);

    assertThat(conf.find("quay.io/app").orElseThrow().mirrors())
        .extracting(RegistriesConf.Mirror::pullFromMirror).containsExactly(PullFromMirror.DIGEST_ONLY);
  }

  @Test
  void version1ListsBecomeInsecureAndBlockedRegistries() throws IOException {
    RegistriesConf conf = load("""
        [registries.search]
        registries = ['registry1.com']
        [registries.insecure]
        registries = ['registry3.com']
        [registries.block]
        registries = ['registry.untrusted.com', 'registry3.com']
        """);

    assertThat(conf.entries()).extracting(e -> e.prefix() + " " + e.insecure() + " " + e.blocked())
        .containsExactlyInAnyOrder("registry.untrusted.com false true", "registry3.com true true");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "[[registry]]\\nlocation = \"https://quay.io\" | registry[0].location: URI schemes are not supported, got \"https://quay.io\"",
    "[[registry]]\\ninsecure = true | registry[0].location: neither prefix nor location is set",
    "[[registry]]\\nprefix = \"example.com/foo\" | registry[0].location: not set, and prefix \"example.com/foo\" is not a *.domain wildcard",
    "[[registry]]\\nprefix = \"*.example.com/foo\" | registry[0].prefix: a wildcard prefix must be *.domain, got \"*.example.com/foo\"",
    "[[registry]]\\nlocation = \"quay.io\"\\npull-from-mirror = \"all\" | registry[0].pull-from-mirror: only allowed in a [[registry.mirror]] table",
    "[[registry]]\\nlocation = \"quay.io\"\\n[[registry.mirror]]\\npull-from-mirror = \"all\" | registry[0].mirror[0].location: a mirror needs a location",
    "[[registry]]\\nlocation = \"quay.io\"\\n[[registry.mirror]]\\nlocation = \"m.local\"\\npull-from-mirror = \"sometimes\" | registry[0].mirror[0].pull-from-mirror: expected all, digest-only or tag-only, got \"sometimes\"",
    "[[registry]]\\nlocation = \"quay.io\"\\nmirror-by-digest-only = true\\n[[registry.mirror]]\\nlocation = \"m.local\"\\npull-from-mirror = \"tag-only\" | registry[0].mirror[0].pull-from-mirror: not allowed together with mirror-by-digest-only of its registry",
    "[[registry]]\\nlocation = \"quay.io\"\\nblocked = \"yes\" | registry[0].blocked: expected true or false, got the string \"yes\"",
    "[[registry]]\\nprefix = \"a.io\"\\nlocation = \"quay.io\"\\n[[registry]]\\nprefix = \"b.io\"\\nlocation = \"quay.io\"\\ninsecure = true | registry: registry 'quay.io' is defined several times with conflicting 'insecure' settings",
    "registry = \"quay.io\" | registry: expected an array of tables ([[registry]]), got the string \"quay.io\"",
    "[registries.insecure]\\nregistries = ['a.io']\\n[[registry]]\\nlocation = \"b.io\" | registries: mixing the v1 format ([registries.*]) and v2 ([[registry]])",
  })
  void invalidTablesNameTheFileAndKey(String toml, String message) {
    assertThatThrownBy(() -> load(toml.replace("\\n", "\n") + "\n"))
        .isInstanceOf(HostsConfigException.class)
        .hasMessage(dir.resolve("registries.conf") + ": " + message);
  }

  @Test
  void theFirstTableOfAPrefixWinsWithinAFile() throws IOException {
    RegistriesConf conf = load("""
        [[registry]]
        location = "quay.io"
        [[registry.mirror]]
        location = "first.local"
        [[registry]]
        location = "quay.io"
        [[registry.mirror]]
        location = "second.local"
        """);

    assertThat(conf.find("quay.io/app").orElseThrow().mirrors()).extracting(RegistriesConf.Mirror::location)
        .containsExactly("first.local");
  }

  @Test
  void dropInsReplaceTablesWithTheSamePrefixInNameOrder() throws IOException {
    Path system = write("etc/registries.conf", """
        [[registry]]
        location = "quay.io"
        [[registry.mirror]]
        location = "from-main.local"
        [[registry]]
        location = "ghcr.io"
        blocked = true
        """);
    write("etc/registries.conf.d/20-late.conf", "[[registry]]\nlocation = \"quay.io\"\n[[registry.mirror]]\nlocation = \"from-20.local\"\n");
    write("etc/registries.conf.d/10-early.conf", "[[registry]]\nlocation = \"quay.io\"\n[[registry.mirror]]\nlocation = \"from-10.local\"\n");
    write("etc/registries.conf.d/ignored.txt", "not toml [");
    Path home = dir.resolve("home");
    write("home/.config/containers/registries.conf.d/00-user.conf", "[[registry]]\nlocation = \"docker.io\"\nblocked = true\n");

    RegistriesConf conf = RegistriesConf.loadSystem(Map.of(), home, system, dir.resolve("etc/registries.conf.d"));

    assertThat(conf.files()).containsExactly(system, dir.resolve("etc/registries.conf.d/10-early.conf"),
        dir.resolve("etc/registries.conf.d/20-late.conf"),
        home.resolve(".config/containers/registries.conf.d/00-user.conf"));
    assertThat(conf.find("quay.io/app").orElseThrow().mirrors()).extracting(RegistriesConf.Mirror::location)
        .containsExactly("from-20.local");
    assertThat(conf.find("ghcr.io/app").orElseThrow().blocked()).isTrue();
    assertThat(conf.find("docker.io/library/app").orElseThrow().blocked()).isTrue();
  }

  @Test
  void aUserFileReplacesTheSystemFileAndItsDropIns() throws IOException {
    Path system = write("etc/registries.conf", "[[registry]]\nlocation = \"quay.io\"\nblocked = true\n");
    write("etc/registries.conf.d/10.conf", "[[registry]]\nlocation = \"ghcr.io\"\nblocked = true\n");
    Path home = dir.resolve("home");
    Path user = write("home/.config/containers/registries.conf", "[[registry]]\nlocation = \"docker.io\"\n");

    RegistriesConf conf = RegistriesConf.loadSystem(Map.of(), home, system, dir.resolve("etc/registries.conf.d"));

    assertThat(conf.files()).containsExactly(user);
    assertThat(conf.find("quay.io/app")).isEmpty();
  }

  @Test
  void containersRegistriesConfNamesTheOnlyFile() throws IOException {
    Path chosen = write("chosen.conf", "[[registry]]\nlocation = \"quay.io\"\n");
    Path system = write("etc/registries.conf", "[[registry]]\nlocation = \"ghcr.io\"\n");

    RegistriesConf conf = RegistriesConf.loadSystem(Map.of("CONTAINERS_REGISTRIES_CONF", chosen.toString()),
        dir.resolve("home"), system, dir.resolve("none"));

    assertThat(conf.files()).containsExactly(chosen);
  }

  @Test
  void missingSystemFilesAreNoConfigurationButAMissingChosenFileIsAnError() throws IOException {
    RegistriesConf conf = RegistriesConf.loadSystem(Map.of(), dir.resolve("home"),
        dir.resolve("none.conf"), dir.resolve("none.d"));

    assertThat(conf.entries()).isEmpty();
    assertThatThrownBy(() -> RegistriesConf.load(dir.resolve("missing.conf")))
        .isInstanceOf(HostsConfigException.class)
        .hasMessage(dir.resolve("missing.conf") + ": no such file");
  }

  @Test
  void aDropInInVersion1IsRefused() throws IOException {
    write("d/10.conf", "[registries.block]\nregistries = ['a.io']\n");

    assertThatThrownBy(() -> RegistriesConf.loadSystem(Map.of(), dir.resolve("home"),
            dir.resolve("none.conf"), dir.resolve("d")))
        .isInstanceOf(HostsConfigException.class)
        .hasMessage(dir.resolve("d/10.conf") + ": registries: a drop-in file must use the v2 format ([[registry]])");
  }

  @Test
  void theMachinesOwnFilesParse() throws IOException {
    // Debian's registries.conf and shortnames.conf hold only comments, search registries and aliases.
    RegistriesConf conf = RegistriesConf.loadSystem(Map.of(), dir, RegistriesConf.SYSTEM_FILE,
        RegistriesConf.SYSTEM_DIR);

    assertThat(conf.files()).isNotNull();
    assertThat(List.copyOf(conf.entries())).isNotNull();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "[[registry]]\\nlocation = \"quay.io\" | true",
    "  [[ registry ]] | true",
    "[registries.insecure]\\nregistries = ['a.io'] | true",
    "registry = \"quay.io\" | true",
    "\"registry\" = [] | true",
    "unqualified-search-registries = [\"docker.io\"] | false",
    "# [[registry]]\\n# location = \"quay.io\" | false",
    "[aliases]\\n\"fedora\" = \"registry.fedoraproject.org/fedora\" | false",
    "[aliases]\\n\"registry\" = \"docker.io/library/registry\" | false",
    "unqualified-search-registries = [\\n  \"registry.fedoraproject.org\",\\n] | false",
    "registries.insecure.registries = [] | true",
    "[aliases]\\n[[registry]] | true",
    "[[registryx]] | false",
  })
  void onlyFilesThatMentionRegistryTablesAreParsed(String toml, boolean mentions) {
    assertThat(RegistriesConf.mentionsRegistries(toml.replace("\\n", "\n"))).isEqualTo(mentions);
  }

  @Test
  void aFileWithoutRegistryTablesIsNotParsedAtAll() throws IOException {
    // Not even its syntax is checked: nothing in it could change a pull.
    RegistriesConf conf = load("unqualified-search-registries = [\"docker.io\"\n[aliases\n");

    assertThat(conf.entries()).isEmpty();
  }
}
