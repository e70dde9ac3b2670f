package dev.hoist.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hoist.testing.LocalRegistry;
import dev.hoist.testing.MachineName;
import dev.hoist.testing.OciLayoutImage;
import dev.hoist.testing.TestCa;
import dev.hoist.testing.TestImages;
import dev.hoist.testing.Tinyproxy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line as a user runs it: a TLS registry trusted through {@code --certs-dir}, reached
 * through a password-protected proxy named in {@code HTTPS_PROXY} (whose credentials the JDK sends
 * in CONNECT requests only because {@code hoist} allows it), and {@code NO_PROXY}.
 */
class TlsProxyCommandIT {
  @TempDir static Path work;
  static MachineName machine;
  static TestCa ca;
  static OciLayoutImage image;
  static LocalRegistry registry;
  static String host;
  static Path certs;

  @BeforeAll
  static void setUp() throws IOException {
    machine = MachineName.find();
    ca = TestCa.create(work.resolve("ca"), "hoist CLI test CA");
    image = TestImages.multiLayer(work.resolve("fixtures"));
    registry = LocalRegistry.withTls(ca, machine.address(), List.of(machine.name()));
    registry.push(image, "tls/app", "v1");
    host = registry.host(machine.name());
    certs = work.resolve("certs.d");
    Files.createDirectories(certs.resolve(host));
    Files.copy(ca.certificate(), certs.resolve(host).resolve("ca.crt"));
  }

  @AfterAll
  static void tearDown() throws IOException {
    registry.close();
  }

  private record Run(int exitCode, String output) {}

  /** Runs the hoist jar with only the given proxy variables set. */
  private static Run hoist(Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", System.getProperty("hoist.jar")));
    cmd.addAll(List.of(args));
    Path log = Files.createTempFile(work, "hoist", ".log");
    ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().keySet().removeIf(k -> k.toLowerCase(java.util.Locale.ROOT).endsWith("_proxy"));
    builder.environment().putAll(env);
    Process process = builder.start();
    assertThat(process.waitFor(3, TimeUnit.MINUTES)).isTrue();
    return new Run(process.exitValue(), Files.readString(log));
  }

  @Test
  void pullsThroughAProxyWithAPasswordAndNoProxyBypassesIt() throws Exception {
    try (Tinyproxy proxy = Tinyproxy.start("hoist", "s3cret")) {
      Map<String, String> env = Map.of("HTTPS_PROXY", proxy.url("hoist", "s3cret"));
      Run run = hoist(env, "pull", "-q", "--store", work.resolve("store1").toString(),
          "--certs-dir", certs.toString(), host + "/tls/app:v1");
      assertThat(run.exitCode()).as(run.output()).isZero();
      assertThat(run.output()).doesNotContain("s3cret");
      assertThat(proxy.requests()).as(proxy.log()).isNotEmpty().allMatch(r -> r.equals("CONNECT " + host));

      int before = proxy.requests().size();
      Map<String, String> bypass = Map.of("https_proxy", proxy.url("hoist", "s3cret"), "no_proxy", machine.name());
      run = hoist(bypass, "pull", "-q", "--store", work.resolve("store2").toString(),
          "--certs-dir", certs.toString(), host + "/tls/app:v1");
      assertThat(run.exitCode()).as(run.output()).isZero();
      assertThat(proxy.requests()).hasSize(before);
    }
  }

  @Test
  void withoutTheCaTheErrorNamesTheHostAndWhereTheCaGoes() throws Exception {
    Path empty = Files.createDirectories(work.resolve("empty-certs.d"));
    Run run = hoist(Map.of(), "pull", "--store", work.resolve("store3").toString(),
        "--certs-dir", empty.toString(), host + "/tls/app:v1");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.output()).endsWith("Error: Get \"https://" + host + "/v2/\": tls: failed to verify"
        + " certificate: x509: certificate signed by unknown authority (to trust registry " + host
        + ", add its CA certificate to " + empty.resolve(host) + "/ca.crt, or mark it insecure)\n");
  }
}
