package dev.hoist;

import dev.hoist.archive.ArchiveReader;
import dev.hoist.archive.ArchiveWriter;
import dev.hoist.archive.LoadListener;
import dev.hoist.archive.LoadedImage;
import dev.hoist.auth.CredentialProvider;
import dev.hoist.catalog.GarbageCollector;
import dev.hoist.catalog.ImageCatalog;
import dev.hoist.catalog.StoreVerifier;
import dev.hoist.config.ConfigFile;
import dev.hoist.config.HoistSettings;
import dev.hoist.hosts.Endpoint;
import dev.hoist.hosts.RegistryHosts;
import dev.hoist.pull.PullListener;
import dev.hoist.pull.PullRequest;
import dev.hoist.pull.PullResult;
import dev.hoist.pull.Puller;
import dev.hoist.reference.ImageReference;
import dev.hoist.registry.ProxySettings;
import dev.hoist.registry.RegistryClient;
import dev.hoist.registry.RetryPolicy;
import dev.hoist.store.OciStore;
import dev.hoist.transfer.BlobDownloader;
import dev.hoist.unpack.UnpackOptions;
import dev.hoist.unpack.Unpacker;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * hoist's entry point: pulls images from registries into a local OCI image layout, unpacks them,
 * and saves and loads them as {@code docker save} archives.
 *
 * <pre>{@code
 * try (Hoist hoist = Hoist.builder().store(Path.of("images")).build()) {
 *   PullResult result = hoist.pull("busybox:1.36");
 *   System.out.println(result.digest());
 * }
 * }</pre>
 *
 * <p>Build one and share it: it is thread-safe, pulls run concurrently, and concurrent pulls
 * share connections, tokens and the download limit. {@link #close()} stops its threads.
 *
 * <p>Credentials come from docker's config file by default; {@link RegistryLogin} stores them
 * there, as {@code docker login} does.
 */
public final class Hoist implements AutoCloseable {
  /** How many blobs download at once unless {@link Builder#maxConcurrentDownloads} says: docker's. */
  public static final int DEFAULT_MAX_CONCURRENT_DOWNLOADS = 3;

  private final OciStore store;
  private final ExecutorService executor;
  private final RegistryClient client;
  private final Puller puller;

  private Hoist(Builder b) throws IOException {
    this.client = b.registry.retryPolicy(b.retry).build();
    this.store = OciStore.open(b.store);
    this.executor = Executors.newCachedThreadPool(daemonThreads());
    BlobDownloader downloader = new BlobDownloader(client, store, b.maxConcurrentDownloads);
    this.puller = new Puller(client, store, downloader, executor);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The default store: {@code $HOIST_HOME}, else {@code $XDG_DATA_HOME/hoist}, else
   * {@code ~/.local/share/hoist}.
   */
  public static Path defaultStore() {
    return defaultStore(System.getenv(), Path.of(System.getProperty("user.home")));
  }

  /**
   * The environment variable that chose {@link #defaultStore()}: {@code HOIST_HOME} or {@code
   * XDG_DATA_HOME}; empty when neither is set and the store is {@code ~/.local/share/hoist}.
   */
  public static Optional<String> defaultStoreVariable() {
    return defaultStoreVariable(System.getenv());
  }

  static Optional<String> defaultStoreVariable(Map<String, String> env) {
    return Stream.of("HOIST_HOME", "XDG_DATA_HOME")
        .filter(name -> !env.getOrDefault(name, "").isEmpty())
        .findFirst();
  }

  static Path defaultStore(Map<String, String> env, Path home) {
    return switch (defaultStoreVariable(env).orElse("")) {
      case "HOIST_HOME" -> Path.of(env.get("HOIST_HOME"));
      case "XDG_DATA_HOME" -> Path.of(env.get("XDG_DATA_HOME")).resolve("hoist");
      default -> home.resolve(".local/share/hoist");
    };
  }

  /** Pulls {@code reference} (docker's syntax: {@code busybox}, {@code ghcr.io/o/r:tag}). */
  public PullResult pull(String reference) throws IOException {
    return pull(PullRequest.of(reference), PullListener.NONE);
  }

  /** Pulls an image, reporting progress to {@code listener}. */
  public PullResult pull(PullRequest request, PullListener listener) throws IOException {
    return puller.pull(request, listener);
  }

  /**
   * Pulls every tag of a repository, one after the other, as {@code docker pull --all-tags}.
   *
   * @throws IllegalArgumentException if the request's reference has a tag or digest
   */
  public List<PullResult> pullAllTags(PullRequest request, PullListener listener) throws IOException {
    return puller.pullAllTags(request, listener);
  }

  /**
   * Unpacks an image of the store into {@code directory} (which must not exist or be empty) as a
   * root filesystem. Layers that would write outside it are refused.
   *
   * @param notes receives what could not be applied, such as file owners when not running as root
   */
  public Path unpack(
      ImageReference reference, Path directory, UnpackOptions options,
      java.util.function.Consumer<String> notes) throws IOException {
    return new Unpacker(store).unpack(reference, directory, options, Unpacker.Progress.NONE, notes);
  }

  /** The images of the store, as docker lists, inspects, tags and removes them. */
  public ImageCatalog images() {
    return new ImageCatalog(store);
  }

  /** Deletes blobs no image references and partial downloads; waits for running pulls. */
  public GarbageCollector.Report collectGarbage() throws IOException {
    return new GarbageCollector(store).collect();
  }

  /** Re-hashes every blob and checks every image; {@code repair} removes what is broken. */
  public StoreVerifier.Report verify(boolean repair) throws IOException {
    return new StoreVerifier(store).verify(repair, blob -> {});
  }

  /**
   * Saves images of the store as a tar that {@code docker load} and skopeo's
   * {@code docker-archive:} read (see {@link ArchiveWriter}), to {@code file} through a temporary
   * file renamed into place when complete.
   *
   * @param images as for {@code docker save}: {@code NAME:TAG}, {@code NAME} (every tag),
   *     {@code NAME@DIGEST}, or an image ID or a unique prefix of one
   * @throws dev.hoist.catalog.NoSuchImageException when the store lacks one
   */
  public void save(List<String> images, Path file) throws IOException {
    new ArchiveWriter(store).save(images, file);
  }

  /** Saves images of the store as a tar written to {@code out}, which is flushed, not closed. */
  public void save(List<String> images, OutputStream out) throws IOException {
    new ArchiveWriter(store).save(images, out);
  }

  /**
   * Loads the images of an archive (docker's, old or new, skopeo's {@code docker-archive:} or
   * {@code oci-archive:}) into the store and tags them; see {@link ArchiveReader}. Nothing is
   * tagged unless every blob verified.
   */
  public List<LoadedImage> load(Path archive, LoadListener listener) throws IOException {
    return new ArchiveReader(store).load(archive, listener);
  }

  /** Loads an archive read from {@code in} (spooled to a temporary file in the store first). */
  public List<LoadedImage> load(InputStream in, LoadListener listener) throws IOException {
    return new ArchiveReader(store).load(in, listener);
  }

  /**
   * The endpoints {@code registry} ({@code docker.io}, {@code host:port}) is pulled from, in the
   * order they are tried: mirrors, then the upstream, each naming the file or setting it comes
   * from. A {@code registries.conf} table for a narrower prefix shows in {@link #hosts()}'s route
   * of an image under it.
   *
   * @throws dev.hoist.hosts.HostsConfigException if the registry's {@code hosts.toml} is invalid
   */
  public List<Endpoint> endpoints(String registry) throws IOException {
    return client.hosts().endpoints(registry);
  }

  /** Where every registry's content comes from: mirrors, rewrites, blocks. */
  public RegistryHosts hosts() {
    return client.hosts();
  }

  /** The store images are pulled into. */
  public OciStore store() {
    return store;
  }

  /** Stops hoist's threads; pulls still running are interrupted. */
  @Override
  public void close() {
    executor.shutdownNow();
    client.close();
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger count = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "hoist-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Configures a {@link Hoist}; every default is here. */
  public static final class Builder {
    private Path store = defaultStore();
    private final RegistryClient.Builder registry =
        RegistryClient.builder()
            .credentials(CredentialProvider.dockerConfig())
            .proxies(ProxySettings.fromEnvironment())
            .systemHostsDirectory()
            .systemRegistriesConf();
    private int maxConcurrentDownloads = DEFAULT_MAX_CONCURRENT_DOWNLOADS;
    private RetryPolicy retry = RetryPolicy.DEFAULT;

    private Builder() {}

    /** The OCI image layout to pull into; {@link #defaultStore()} by default. */
    public Builder store(Path store) {
      this.store = Objects.requireNonNull(store, "store == null");
      return this;
    }

    /** Where registry credentials come from; docker's config file by default. */
    public Builder credentials(CredentialProvider credentials) {
      registry.credentials(credentials);
      return this;
    }

    /** Registries ({@code host[:port]}) that may use plain HTTP or unverified TLS. */
    public Builder insecureRegistries(Collection<String> registries) {
      registry.insecureRegistries(registries);
      return this;
    }

    /**
     * Where registries' CA and client certificates are looked up (docker's {@code certs.d} layout,
     * see {@link RegistryClient.Builder#certsDirectories}); {@link
     * RegistryClient#DEFAULT_CERTS_DIRECTORIES} by default.
     */
    public Builder certsDirectories(List<Path> roots) {
      registry.certsDirectories(roots);
      return this;
    }

    /**
     * containerd's hosts directory to read mirrors from ({@code <dir>/<host>/hosts.toml}, as {@code
     * ctr --hosts-dir}); it must exist. By default {@code /etc/containerd/certs.d}, if it exists.
     */
    public Builder hostsDirectory(Path directory) {
      registry.hostsDirectory(directory);
      return this;
    }

    /**
     * The HTTP proxies to use; by default {@link ProxySettings#fromEnvironment()}, as docker reads
     * {@code HTTP_PROXY}, {@code HTTPS_PROXY} and {@code NO_PROXY}.
     */
    public Builder proxies(ProxySettings proxies) {
      registry.proxies(proxies);
      return this;
    }

    /**
     * The containers {@code registries.conf} to read mirrors, rewrites and blocks from, alone; it
     * must exist. By default the files containers/image reads ({@code
     * $CONTAINERS_REGISTRIES_CONF}, else {@code ~/.config/containers/registries.conf}, else {@code
     * /etc/containers/registries.conf}, with their {@code registries.conf.d} drop-ins).
     */
    public Builder registriesConf(Path file) {
      registry.registriesConf(file);
      return this;
    }

    /**
     * Mirrors of Docker Hub, tried in order before it, as docker's {@code registry-mirrors}: {@code
     * https://host[:port]} URLs. None by default.
     */
    public Builder registryMirrors(List<URI> mirrors) {
      registry.registryMirrors(mirrors);
      return this;
    }

    /**
     * Whether a pull falls back to the upstream registry when its mirrors fail; true by default,
     * as containerd. Either way a failed mirror is reported ({@link PullListener#warning}).
     */
    public Builder mirrorFallback(boolean fallback) {
      registry.mirrorFallback(fallback);
      return this;
    }

    /**
     * Where each registry's content comes from, configured in full; replaces the hosts directory,
     * {@code registries.conf}, mirror, fallback and insecure-registry settings.
     */
    public Builder hosts(RegistryHosts hosts) {
      registry.hosts(hosts);
      return this;
    }

    /** How many blobs download at once across all pulls; 3 by default, as docker. */
    public Builder maxConcurrentDownloads(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxConcurrentDownloads < 1: " + n);
      }
      this.maxConcurrentDownloads = n;
      return this;
    }

    /**
     * How many times a request or blob download is tried in all before the pull fails; 5 by
     * default, as docker's {@code max-download-attempts}.
     */
    public Builder maxDownloadAttempts(int n) {
      retry = new RetryPolicy(n, retry.initialBackoff());
      return this;
    }

    /** The wait before the first retry, doubled for each later one (30 s at most); 1 s by default. */
    public Builder retryBackoff(Duration initial) {
      retry = new RetryPolicy(retry.maxAttempts(), initial);
      return this;
    }

    /**
     * How long a download may receive nothing before the attempt fails (and is retried); 30 s by
     * default.
     */
    public Builder stallTimeout(Duration timeout) {
      registry.stallTimeout(timeout);
      return this;
    }

    /**
     * Applies what a configuration file set (see {@link ConfigFile}); settings it leaves out keep
     * their current value, and later calls to the other setters override it.
     */
    public Builder settings(HoistSettings settings) {
      settings.store().ifPresent(this::store);
      settings.insecureRegistries().ifPresent(this::insecureRegistries);
      settings.maxConcurrentDownloads().ifPresent(this::maxConcurrentDownloads);
      settings.maxDownloadAttempts().ifPresent(this::maxDownloadAttempts);
      settings.certsDirectories().ifPresent(this::certsDirectories);
      settings.registryMirrors().ifPresent(this::registryMirrors);
      settings.hostsDirectory().ifPresent(this::hostsDirectory);
      settings.registriesConf().ifPresent(this::registriesConf);
      settings.mirrorFallback().ifPresent(this::mirrorFallback);
      settings.proxies().map(ProxySettings::of).ifPresent(this::proxies);
      return this;
    }

    /** Opens the store (creating an empty layout if needed) and builds the client. */
    public Hoist build() throws IOException {
      return new Hoist(this);
    }
  }
}
