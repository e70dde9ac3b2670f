package dev.hoist.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreLeaseTest {
  @TempDir Path dir;

  @Test
  void sharedLeasesHeldTogetherAndClosedFromAnyThread() throws Exception {
    OciStore store = OciStore.open(dir);
    StoreLease first = store.lease();
    StoreLease second = CompletableFuture.supplyAsync(() -> lease(store)).get(10, TimeUnit.SECONDS);
    CompletableFuture.runAsync(() -> close(first)).get(10, TimeUnit.SECONDS);
    second.close();
    try (StoreLease exclusive = store.exclusiveLease()) {
      assertThat(exclusive.isExclusive()).isTrue();
    }
  }

  @Test
  void exclusiveLeaseWaitsForSharedOnesInThisProcess() throws Exception {
    OciStore store = OciStore.open(dir);
    StoreLease shared = store.lease();
    CompletableFuture<StoreLease> collector = CompletableFuture.supplyAsync(() -> exclusive(store));
    Thread.sleep(200);
    assertThat(collector).isNotDone();
    shared.close();
    StoreLease exclusive = collector.get(10, TimeUnit.SECONDS);
    CompletableFuture<StoreLease> puller = CompletableFuture.supplyAsync(() -> lease(store));
    Thread.sleep(200);
    assertThat(puller).isNotDone();
    exclusive.close();
    puller.get(10, TimeUnit.SECONDS).close();
  }

  @Test
  void exclusiveLeaseWaitsForASharedOneHeldByAnotherProcess() throws Exception {
    OciStore store = OciStore.open(dir);
    Process other = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"),
            HoldLease.class.getName(), dir.toString())
        .redirectErrorStream(true)
        .start();
    try {
      BufferedReader out = new BufferedReader(
          new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
      assertThat(out.readLine()).isEqualTo("held");
      CompletableFuture<StoreLease> collector = CompletableFuture.supplyAsync(() -> exclusive(store));
      Thread.sleep(300);
      assertThat(collector).isNotDone();
      other.getOutputStream().close(); // the other process lets go and exits
      collector.get(20, TimeUnit.SECONDS).close();
      assertThat(other.waitFor(20, TimeUnit.SECONDS)).isTrue();
    } finally {
      other.destroyForcibly();
    }
  }

  /** Holds a shared lease on the store given as argument until its standard input ends. */
  public static final class HoldLease {
    public static void main(String[] args) throws IOException {
      try (StoreLease lease = OciStore.open(Path.of(args[0])).lease()) {
        System.out.println("held");
        System.out.flush();
        System.in.readAllBytes();
      }
    }
  }

  private static StoreLease lease(OciStore store) {
    try {
      return store.lease();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static StoreLease exclusive(OciStore store) {
    try {
      return store.exclusiveLease();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void close(StoreLease lease) {
    try {
      lease.close();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
