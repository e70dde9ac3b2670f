import dev.hoist.Hoist;
import dev.hoist.reference.ImageReference;
import dev.hoist.unpack.UnpackOptions;
import java.nio.file.Path;

/**
 * Times {@code Hoist.unpack} inside one running JVM, as an application that embeds hoist calls
 * it: the same image unpacked RUNS times, each into a new directory DIR-PREFIX1, DIR-PREFIX2, ...,
 * after a {@code sync} (untimed, as scripts/bench does before every timed command). Prints one wall
 * time in seconds per run. The first runs pay class loading and JIT compilation, the later ones
 * show the library's steady state. Used by scripts/bench; not part of hoist.
 *
 * <pre>java -cp hoist.jar scripts/bench-lib/UnpackInProcess.java STORE IMAGE DIR-PREFIX RUNS</pre>
 */
public final class UnpackInProcess {
  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: UnpackInProcess STORE IMAGE DIR-PREFIX RUNS");
      System.exit(2);
    }
    ImageReference image = ImageReference.parse(args[1]);
    int runs = Integer.parseInt(args[3]);
    try (Hoist hoist = Hoist.builder().store(Path.of(args[0])).build()) {
      for (int run = 1; run <= runs; run++) {
        new ProcessBuilder("sync").inheritIO().start().waitFor();
        long start = System.nanoTime();
        hoist.unpack(image, Path.of(args[2] + run), UnpackOptions.defaults(), note -> {});
        System.out.printf("%.3f%n", (System.nanoTime() - start) / 1e9);
      }
    }
  }
}
