package dev.amalgam.merge.fusion;

import dev.amalgam.merge.eval.TaskExample;
import dev.amalgam.merge.eval.TaskJsonl;
import dev.amalgam.multiformats.Cid;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The instruction-response data that summaries describe: a TaskJsonl file, identified by the CID
 * (raw, sha2-256) of its bytes. Every response must be non-empty: a summary of nothing teaches
 * nothing, and alignment needs text.
 */
public record FusionData(Path file, Cid id, List<TaskExample> examples) {

  public static FusionData read(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    List<TaskExample> examples = TaskJsonl.read(file);
    if (examples.isEmpty()) {
      throw new IllegalArgumentException(file + ": holds no examples");
    }
    for (int i = 0; i < examples.size(); i++) {
      if (examples.get(i).response().isEmpty()) {
        throw new IllegalArgumentException(
            file
                + ": example "
                + (i + 1)
                + " has an empty response (nothing to summarize or learn)");
      }
    }
    return new FusionData(file, SummaryBlocks.cidOf(bytes), List.copyOf(examples));
  }
}
