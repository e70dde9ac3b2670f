package dev.hoist.testing;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real CNCF distribution registry ({@code docker-registry serve}, Debian package {@code
 * docker-registry}) on a free port of 127.0.0.1 (or another address of this machine), with
 * filesystem storage in a fresh temp dir and deletes enabled; plain HTTP, or TLS with a
 * certificate from a {@link TestCa} and, if asked, client certificates required ({@code
 * http.tls.clientcas}). {@link #close()} stops the process and deletes the temp dir.
 *
 * <p>The binary is {@code $HOIST_TEST_REGISTRY} or {@code docker-registry} on the PATH. Its log is
 * {@link #logFile()}; startup failures quote its tail.
 *
 * <p>{@link #pullThroughCache} starts one in proxy mode ({@code proxy.remoteurl}) in front of
 * another: a pull-through cache, as mirrors usually are. It fetches what it lacks from the
 * upstream (with the upstream's credentials, {@code proxy.username} and {@code proxy.password}),
 * stores it, and serves it from storage afterwards. Its blob copies are stored in the background,
 * after the first client has been served. The upstream must use token auth ({@link
 * #withTokenAuth}) if it wants credentials: distribution 2.8's proxy hands them only to a Bearer
 * realm it discovers at start-up, never to a Basic challenge.
 *
 * <p>Every request is logged at info level, in the access log format too; {@link #accessLog()}
 * reads those lines.
 *
 * <p>Distribution 2.8 answers a GET of an OCI manifest with 404 {@code MANIFEST_UNKNOWN} ("OCI
 * manifest found, but accept header does not support OCI manifests") unless the request's {@code
 * Accept} names the OCI manifest type.
 */
public final class LocalRegistry implements AutoCloseable {
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(20);

  /** The manifest format skopeo writes: OCI, as built, or converted to Docker schema 2. */
  public enum ManifestFormat {
    OCI("oci"),
    DOCKER_V2S2("v2s2");

    private final String skopeoName;

    ManifestFormat(String skopeoName) {
      this.skopeoName = skopeoName;
    }
  }

  /**
   * Where and how the registry listens: {@code tls} is the YAML of {@code http.tls} (empty for
   * plain HTTP); {@code pushCertDir}, when not null, holds the client certificate skopeo pushes with.
   */
  private record Serving(String address, String tls, Path pushCertDir) {
    static final Serving LOOPBACK = new Serving("127.0.0.1", "", null);
  }

  private static final java.util.concurrent.atomic.AtomicInteger SERVERS =
      new java.util.concurrent.atomic.AtomicInteger();

  private static final Pattern ACCESS_LINE =
      Pattern.compile("\"([A-Z]+) (\\S+) HTTP/[0-9.]+\" (\\d{3}) ");

  private final Path dir;
  private final ServerProcess server;
  private final Serving serving;
  private final int port;
  private final String pushCredentials;

  private LocalRegistry(Path dir, Process process, Serving serving, int port, String pushCredentials) {
    this.dir = dir;
    this.server = new ServerProcess("docker-registry-" + port, process, dir);
    this.serving = serving;
    this.port = port;
    this.pushCredentials = pushCredentials;
  }

  /** A registry anyone may pull from and push to. */
  public static LocalRegistry anonymous() throws IOException {
    return start("", null, dir -> {});
  }

  /** A registry anyone may use, serving plain HTTP on {@code address}, an address of this machine. */
  public static LocalRegistry anonymousOn(String address) throws IOException {
    return start("", null, dir -> {}, new Serving(address, "", null));
  }

  /**
   * A registry serving TLS on {@code address} with a certificate {@code ca} issues for {@code
   * names}, {@code localhost}, {@code address} and 127.0.0.1.
   */
  public static LocalRegistry withTls(TestCa ca, String address, List<String> names) throws IOException {
    return start("", null, dir -> {}, tls(ca, address, names, false));
  }

  /**
   * Like {@link #withTls}, and every client must present a certificate {@code ca} issued
   * (distribution's {@code http.tls.clientcas}); {@link #push} presents one.
   */
  public static LocalRegistry withClientCertificates(TestCa ca, String address, List<String> names)
      throws IOException {
    return start("", null, dir -> {}, tls(ca, address, names, true));
  }

  private static Serving tls(TestCa ca, String address, List<String> names, boolean clientCas)
      throws IOException {
    int n = SERVERS.incrementAndGet();
    List<String> dns = new ArrayList<>(names);
    dns.add("localhost");
    List<String> ips = address.equals("127.0.0.1") ? List.of(address) : List.of(address, "127.0.0.1");
    TestCa.Issued server = ca.server("registry-" + n, dns, ips);
    StringBuilder yaml = new StringBuilder()
        .append("  tls:\n")
        .append("    certificate: ").append(server.certificate()).append('\n')
        .append("    key: ").append(server.key()).append('\n');
    Path pushCerts = null;
    if (clientCas) {
      yaml.append("    clientcas:\n      - ").append(ca.certificate()).append('\n');
      TestCa.Issued pusher = ca.client("pusher-" + n, "hoist-test-pusher", TestCa.KeyForm.PKCS8_EC);
      pushCerts = server.certificate().resolveSibling("push-certs-" + n);
      Files.createDirectories(pushCerts);
      Files.copy(pusher.certificate(), pushCerts.resolve("client.cert"));
      Files.copy(pusher.key(), pushCerts.resolve("client.key"));
    }
    return new Serving(address, yaml.toString(), pushCerts);
  }

  /** A registry that wants HTTP Basic auth ({@code auth: htpasswd}, bcrypt) for everything. */
  public static LocalRegistry withBasicAuth(String user, String password) throws IOException {
    String auth = "auth:\n  htpasswd:\n    realm: hoist-test\n    path: %DIR%/htpasswd\n";
    return start(
        auth,
        user + ":" + password,
        dir -> {
          String line = Tools.run(List.of("htpasswd", "-Bbn", user, password), dir).trim();
          Files.writeString(dir.resolve("htpasswd"), line + "\n");
        });
  }

  /**
   * A registry in {@code auth: token} mode trusting {@code issuer}: its realm, service, issuer name
   * and certificate. {@link #push} uses the issuer's {@link TokenIssuer#ADMIN_USER}.
   */
  public static LocalRegistry withTokenAuth(TokenIssuer issuer) throws IOException {
    String auth =
        "auth:\n  token:\n"
            + ("    realm: " + issuer.realm() + "\n")
            + ("    service: " + issuer.service() + "\n")
            + ("    issuer: " + issuer.issuer() + "\n")
            + ("    rootcertbundle: " + issuer.certificatePem() + "\n");
    return start(auth, TokenIssuer.ADMIN_USER + ":" + issuer.adminPassword(), dir -> {});
  }

  /**
   * A pull-through cache of {@code upstream} that anyone may pull from; it logs in to the upstream
   * with the upstream's own credentials, if it has any.
   */
  public static LocalRegistry pullThroughCache(LocalRegistry upstream) throws IOException {
    return start(proxy(upstream), null, dir -> {});
  }

  /**
   * A pull-through cache of {@code upstream} that wants HTTP Basic auth of its own clients ({@code
   * user}, {@code password}); it logs in to the upstream with the upstream's credentials.
   */
  public static LocalRegistry pullThroughCache(LocalRegistry upstream, String user, String password)
      throws IOException {
    String auth = "auth:\n  htpasswd:\n    realm: hoist-mirror\n    path: %DIR%/htpasswd\n";
    return start(auth + proxy(upstream), null, dir -> {
      String line = Tools.run(List.of("htpasswd", "-Bbn", user, password), dir).trim();
      Files.writeString(dir.resolve("htpasswd"), line + "\n");
    });
  }

  private static String proxy(LocalRegistry upstream) {
    StringBuilder proxy = new StringBuilder("proxy:\n  remoteurl: " + upstream.baseUri() + "\n");
    if (upstream.pushCredentials != null) {
      String[] userPassword = upstream.pushCredentials.split(":", 2);
      proxy.append("  username: ").append(userPassword[0]).append('\n');
      proxy.append("  password: ").append(userPassword[1]).append('\n');
    }
    return proxy.toString();
  }

  /**
   * The requests the registry answered so far, in order, from its access log: {@code "GET
   * /v2/team/app/blobs/sha256:… 200"} (method, request URI with its query, status).
   */
  public List<String> accessLog() throws IOException {
    List<String> requests = new ArrayList<>();
    for (String line : Files.readAllLines(logFile())) {
      Matcher m = ACCESS_LINE.matcher(line);
      if (m.find()) {
        requests.add(m.group(1) + " " + m.group(2) + " " + m.group(3));
      }
    }
    return requests;
  }

  /** Whether the registry stores the blob {@code digest} ({@code sha256:…}) in its storage. */
  public boolean hasBlob(String digest) {
    String hex = digest.substring(digest.indexOf(':') + 1);
    return Files.isRegularFile(storageDir().resolve(
        "docker/registry/v2/blobs/sha256/" + hex.substring(0, 2) + "/" + hex + "/data"));
  }

  /**
   * Stops the registry, keeping its storage and log (for a test of what clients do when it is
   * gone); {@link #close()} still deletes them.
   */
  public void stop() throws IOException {
    server.stop();
  }

  /** {@code 127.0.0.1:PORT} (the address it listens on), the registry part of an image reference. */
  public String host() {
    return serving.address() + ":" + port;
  }

  /** The port it listens on. */
  public int port() {
    return port;
  }

  /** {@code NAME:PORT}: the registry reached by another name of its address. */
  public String host(String name) {
    return name + ":" + port;
  }

  /** {@code http://127.0.0.1:PORT} ({@code https://} when it serves TLS), without a trailing slash. */
  public URI baseUri() {
    return URI.create((serving.tls().isEmpty() ? "http://" : "https://") + host());
  }

  /** The registry's storage root (filesystem driver). */
  public Path storageDir() {
    return dir.resolve("storage");
  }

  /** The registry's combined stdout and stderr. */
  public Path logFile() {
    return dir.resolve("registry.log");
  }

  /** Pushes {@code image} as {@code repository:tag} in OCI format; returns the manifest digest. */
  public String push(OciLayoutImage image, String repository, String tag) throws IOException {
    return push(image, repository, tag, ManifestFormat.OCI);
  }

  /**
   * Pushes {@code image} with {@code skopeo copy} as {@code repository:tag}, with the registry's
   * credentials if it has any, and returns the digest of the manifest as pushed. OCI keeps the
   * layout's manifest (and layer compression) byte for byte; Docker schema 2 converts it.
   */
  public String push(OciLayoutImage image, String repository, String tag, ManifestFormat format)
      throws IOException {
    Path digestFile = Files.createTempFile(dir, "digest", ".txt");
    List<String> cmd = new ArrayList<>(skopeo("copy", "--dest-tls-verify=false"));
    if (pushCredentials != null) {
      cmd.add("--dest-creds=" + pushCredentials);
    }
    if (serving.pushCertDir() != null) {
      cmd.add("--dest-cert-dir=" + serving.pushCertDir());
    }
    if (format == ManifestFormat.OCI) {
      cmd.add("--preserve-digests");
    }
    cmd.addAll(
        List.of(
            "--format=" + format.skopeoName,
            "--digestfile=" + digestFile,
            "oci:" + image.layout() + ":" + image.tag(),
            "docker://" + host() + "/" + repository + ":" + tag));
    Tools.run(cmd, dir);
    String digest = Files.readString(digestFile).trim();
    Files.delete(digestFile);
    return digest;
  }

  /**
   * Pushes the index {@code image} and every manifest it lists as {@code repository:tag}, and
   * returns the digest of the index, which is the layout's index byte for byte.
   *
   * <p>Two skopeo runs, because skopeo 1.9.3 copies every entry of an index as an image manifest
   * and then records the entry as one, which {@code --preserve-digests} forbids for an entry of
   * another media type: {@code copy --all} pushes the entries (and a rewritten index, left
   * untagged), then {@code copy --multi-arch index-only --preserve-digests} pushes the original
   * index over the tag.
   */
  public String pushAll(MultiPlatformImage image, String repository, String tag)
      throws IOException {
    String source = "oci:" + image.layout() + ":" + image.tag();
    String dest = "docker://" + host() + "/" + repository + ":" + tag;
    Tools.run(pushCommand("--all", source, dest), dir);
    Path digestFile = Files.createTempFile(dir, "digest", ".txt");
    Tools.run(
        pushCommand(
            "--multi-arch=index-only",
            "--preserve-digests",
            "--digestfile=" + digestFile,
            source,
            dest),
        dir);
    String digest = Files.readString(digestFile).trim();
    Files.delete(digestFile);
    return digest;
  }

  private List<String> pushCommand(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(skopeo("copy", "--dest-tls-verify=false"));
    if (pushCredentials != null) {
      cmd.add("--dest-creds=" + pushCredentials);
    }
    if (serving.pushCertDir() != null) {
      cmd.add("--dest-cert-dir=" + serving.pushCertDir());
    }
    cmd.addAll(List.of(args));
    return cmd;
  }

  /**
   * The start of a skopeo command line that ignores the user's policy and stored credentials, for
   * tests that run skopeo themselves, e.g. {@code skopeo("inspect", "--tls-verify=false")}.
   */
  public List<String> skopeo(String command, String... options) throws IOException {
    Path authFile = dir.resolve("skopeo-auth.json");
    if (!Files.exists(authFile)) {
      Files.writeString(authFile, "{\"auths\":{}}");
    }
    List<String> cmd = new ArrayList<>(List.of("skopeo", "--insecure-policy", command));
    cmd.add("--authfile=" + authFile);
    cmd.addAll(List.of(options));
    return cmd;
  }

  @Override
  public void close() throws IOException {
    server.close();
  }

  private interface Setup {
    void prepare(Path dir) throws IOException;
  }

  private static LocalRegistry start(String auth, String pushCredentials, Setup setup)
      throws IOException {
    return start(auth, pushCredentials, setup, Serving.LOOPBACK);
  }

  private static LocalRegistry start(String auth, String pushCredentials, Setup setup, Serving serving)
      throws IOException {
    String binary = binary();
    Path dir = Files.createTempDirectory("hoist-registry");
    try {
      setup.prepare(dir);
      IOException last = null;
      for (int attempt = 0; attempt < 3; attempt++) {
        int port = ServerProcess.freePort(serving.address());
        Path config = dir.resolve("config.yml");
        Files.writeString(config, config(dir, serving, port, auth.replace("%DIR%", dir.toString())));
        ProcessBuilder builder = new ProcessBuilder(binary, "serve", config.toString());
        builder.environment().keySet().removeIf(k -> k.startsWith("REGISTRY_"));
        Process process = Tools.start(builder.directory(dir.toFile()), dir.resolve("registry.log"));
        try {
          awaitReady(process, serving, port, dir.resolve("registry.log"));
          return new LocalRegistry(dir, process, serving, port, pushCredentials);
        } catch (IOException e) {
          ServerProcess.stop(process, "docker-registry");
          last = e;
          if (!Files.readString(dir.resolve("registry.log")).contains("address already in use")) {
            break;
          }
        }
      }
      throw last;
    } catch (IOException | RuntimeException e) {
      Dirs.deleteRecursively(dir);
      throw e;
    }
  }

  private static String binary() throws IOException {
    String configured = System.getenv("HOIST_TEST_REGISTRY");
    if (configured != null && !configured.isBlank()) {
      if (!Files.isExecutable(Path.of(configured))) {
        throw new IOException("HOIST_TEST_REGISTRY is not an executable: " + configured);
      }
      return configured;
    }
    for (String entry : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!entry.isEmpty() && Files.isExecutable(Path.of(entry, "docker-registry"))) {
        return Path.of(entry, "docker-registry").toString();
      }
    }
    throw new IOException(Tools.missing("docker-registry"));
  }

  private static String config(Path dir, Serving serving, int port, String auth) {
    return String.join(
        "\n",
        "version: 0.1",
        "log:",
        "  level: info",
        "  formatter: text",
        "storage:",
        "  filesystem:",
        "    rootdirectory: " + dir.resolve("storage"),
        "  delete:",
        "    enabled: true",
        "  maintenance:",
        "    uploadpurging:",
        "      enabled: false",
        "http:",
        "  addr: " + serving.address() + ":" + port,
        "  secret: " + UUID.randomUUID(),
        "  headers:",
        "    X-Content-Type-Options: [nosniff]",
        serving.tls() + auth);
  }

  /** Ready once {@code GET /v2/} answers; a TLS port answers plain HTTP with 400, as Go does. */
  private static void awaitReady(Process process, Serving serving, int port, Path log)
      throws IOException {
    HttpClient client = HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(1))
        .proxy(HttpClient.Builder.NO_PROXY)
        .build();
    HttpRequest ping =
        HttpRequest.newBuilder(URI.create("http://" + serving.address() + ":" + port + "/v2/"))
            .timeout(Duration.ofSeconds(2))
            .build();
    long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(
            "docker-registry exited with " + process.exitValue() + "; log tail:\n" + tail(log));
      }
      try {
        int status = client.send(ping, HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status == 200 || status == 401 || (status == 400 && !serving.tls().isEmpty())) {
          return;
        }
      } catch (IOException e) {
        // Not listening yet.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for docker-registry");
      }
      sleep(50);
    }
    throw new IOException(
        "docker-registry did not answer GET /v2/ within "
            + STARTUP_TIMEOUT
            + "; log tail:\n"
            + tail(log));
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
  }


  private static void sleep(long millis) throws InterruptedIOException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException();
    }
  }
}
