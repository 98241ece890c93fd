package dev.amalgam.merge.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing of the safetensors header parser. Under plain {@code mvn test} it replays
 * the corpus in {@code src/test/resources/.../SafetensorsHeaderFuzzTestInputs}; with {@code
 * JAZZER_FUZZ=1} it fuzzes for the bounded duration (CI does this, see .ci/run).
 */
class SafetensorsHeaderFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void parserRejectsOrAcceptsButNeverCrashes(byte[] file) {
    try {
      long headerLength =
          SafetensorsHeader.headerLength("fuzz.safetensors", ByteBuffer.wrap(file), file.length);
      byte[] header = Arrays.copyOfRange(file, 8, 8 + (int) headerLength);
      long dataSize = file.length - 8 - headerLength;
      SafetensorsHeader parsed = SafetensorsHeader.parse("fuzz.safetensors", header, dataSize);
      long covered = 0;
      for (SafetensorsHeader.Entry e : parsed.entries()) {
        assertThat(e.dataOffset()).isBetween(0L, dataSize);
        assertThat(e.dataOffset() + e.info().byteLength()).isLessThanOrEqualTo(dataSize);
        covered += e.info().byteLength();
      }
      assertThat(covered).isEqualTo(dataSize);
    } catch (CheckpointException expected) {
      assertThat(expected.getMessage()).startsWith("fuzz.safetensors: ").doesNotContain("\n");
    }
  }
}
