package dev.amalgam.merge.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.amalgam.merge.checkpoint.AtomicDirectory;
import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.checkpoint.CheckpointException;
import dev.amalgam.merge.recipe.Recipe;
import dev.amalgam.merge.recipe.RecipeParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Re-runs the recipe recorded in a merge's {@code amalgam-merge.json} and compares the recomputed
 * output with the directory as it is now (its id, and on a mismatch the tensors byte by byte) and
 * with the output id the provenance records.
 */
public final class MergeVerifier {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /**
   * The verdict.
   *
   * @param matches whether the directory, the recorded id and the recomputation all agree
   * @param recordedId the output id in the provenance
   * @param actualId the id of the directory as it is now
   * @param recomputedId the id of the recomputed output
   * @param differingTensors tensors whose bytes differ between directory and recomputation
   */
  public record Verification(
      boolean matches,
      String recordedId,
      String actualId,
      String recomputedId,
      List<String> differingTensors) {}

  private MergeVerifier() {}

  /** The recipe recorded in a merge directory, as text. */
  public static String recordedRecipe(Path mergedDir) throws IOException {
    return provenance(mergedDir).path("recipe").asText();
  }

  /** The model references the recorded recipe needs checkpoints for. */
  public static List<String> recordedInputs(Path mergedDir) throws IOException {
    List<String> out = new ArrayList<>();
    for (JsonNode n : provenance(mergedDir).path("inputs")) {
      out.add(n.path("model").asText());
    }
    return out;
  }

  /**
   * Recomputes the merge with {@code inputs} (every recorded model reference mapped to its
   * checkpoint) in a temporary directory next to {@code mergedDir}, then removes it.
   */
  public static Verification verify(Path mergedDir, Map<String, Checkpoint> inputs, int threads)
      throws IOException {
    JsonNode p = provenance(mergedDir);
    String recordedId = p.path("output_id").asText(null);
    if (recordedId == null) {
      throw new IOException(
          mergedDir.resolve(Provenance.FILE_NAME) + ": has no output_id to verify against");
    }
    Recipe recipe = RecipeParser.parse(p.path("recipe").asText(), Provenance.FILE_NAME + " recipe");
    Path scratch =
        mergedDir
            .toAbsolutePath()
            .resolveSibling(
                "." + mergedDir.getFileName() + ".verify-" + ProcessHandle.current().pid());
    try {
      MergeResult again =
          MergeExecutor.run(
              recipe,
              inputs,
              scratch,
              new MergeExecutor.Options(
                  threads, Long.MAX_VALUE, true, MergeProgress.NONE, Map.of(), true));
      String actualId = MergeExecutor.outputId(mergedDir, threads);
      List<String> differing = new ArrayList<>();
      if (!again.outputId().equals(actualId)) {
        differing = differingTensors(mergedDir, scratch);
      }
      boolean matches = again.outputId().equals(actualId) && actualId.equals(recordedId);
      return new Verification(matches, recordedId, actualId, again.outputId(), differing);
    } finally {
      if (Files.exists(scratch)) {
        AtomicDirectory.deleteTree(scratch);
      }
    }
  }

  private static List<String> differingTensors(Path recorded, Path recomputed)
      throws CheckpointException {
    List<String> out = new ArrayList<>();
    try (Checkpoint a = Checkpoint.open(recorded);
        Checkpoint b = Checkpoint.open(recomputed)) {
      for (String name : b.tensorNames()) {
        if (!a.contains(name)
            || !a.info(name).equals(b.info(name))
            || a.bytes(name).mismatch(b.bytes(name)) != -1) {
          out.add(name);
        }
      }
      for (String name : a.tensorNames()) {
        if (!b.contains(name)) {
          out.add(name);
        }
      }
    }
    return out;
  }

  private static JsonNode provenance(Path mergedDir) throws IOException {
    Path file = mergedDir.resolve(Provenance.FILE_NAME);
    if (!Files.isRegularFile(file)) {
      throw new IOException(file + ": missing; this directory was not written by amalgam merge");
    }
    try {
      return JSON.readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
    }
  }
}
