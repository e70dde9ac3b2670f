package dev.hoist;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hoist.store.OciStore;
import dev.hoist.testing.LocalRegistry;
import dev.hoist.testing.OciLayoutImage;
import dev.hoist.testing.TestImages;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's library snippet compiles and pulls an image, as written. */
class ReadmeExampleIT {
  @Test
  void theReadmeSnippetCompilesAndPulls(@TempDir Path work) throws Exception {
    String readme = Files.readString(Path.of(System.getProperty("hoist.readme")));
    Matcher block = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
    assertThat(block.find()).as("README has a java block").isTrue();
    Path source = work.resolve("PullExample.java");
    Files.writeString(source, block.group(1));

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int compiled = javac.run(null, null, null,
        "-cp", System.getProperty("java.class.path"), "-d", work.toString(), source.toString());
    assertThat(compiled).as("javac exit code").isZero();

    OciLayoutImage image = TestImages.multiLayer(work.resolve("fixture"));
    try (LocalRegistry registry = LocalRegistry.anonymous()) {
      String digest = registry.push(image, "readme/example", "v1");
      String ref = registry.host() + "/readme/example:v1";
      Path store = work.resolve("store");

      String printed = runMain(work, ref, store.toString());

      assertThat(printed).contains("pulled " + ref + " at " + digest);
      assertThat(OciStore.open(store).resolve(ref)).isPresent();
    }
  }

  private static String runMain(Path classes, String... args) throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {classes.toUri().toURL()}, ReadmeExampleIT.class.getClassLoader())) {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      Method main = loader.loadClass("PullExample").getMethod("main", String[].class);
      main.invoke(null, (Object) args);
    } finally {
      System.setOut(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }
}
