package dev.hoist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HoistTest {
  private static final Path HOME = Path.of("/home/alice");

  @Test
  void theDefaultStoreFollowsHoistHomeThenXdgDataHomeAndSaysWhichChoseIt() {
    Map<String, String> both = Map.of("HOIST_HOME", "/srv/hoist", "XDG_DATA_HOME", "/data");
    assertThat(Hoist.defaultStore(both, HOME)).isEqualTo(Path.of("/srv/hoist"));
    assertThat(Hoist.defaultStoreVariable(both)).contains("HOIST_HOME");

    Map<String, String> xdg = Map.of("HOIST_HOME", "", "XDG_DATA_HOME", "/data");
    assertThat(Hoist.defaultStore(xdg, HOME)).isEqualTo(Path.of("/data/hoist"));
    assertThat(Hoist.defaultStoreVariable(xdg)).contains("XDG_DATA_HOME");

    assertThat(Hoist.defaultStore(Map.of(), HOME)).isEqualTo(HOME.resolve(".local/share/hoist"));
    assertThat(Hoist.defaultStoreVariable(Map.of())).isEmpty();
  }
}
