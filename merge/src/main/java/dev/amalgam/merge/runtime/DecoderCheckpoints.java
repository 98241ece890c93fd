package dev.amalgam.merge.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.checkpoint.CheckpointException;
import dev.amalgam.merge.checkpoint.CheckpointWriter;
import dev.amalgam.merge.checkpoint.DType;
import dev.amalgam.merge.checkpoint.HfConfig;
import dev.amalgam.merge.checkpoint.TensorInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Loads Hugging Face checkpoint directories into the runtime and saves models back as one. */
public final class DecoderCheckpoints {

  private DecoderCheckpoints() {}

  /** The decoder config of a checkpoint directory's config.json. */
  public static DecoderConfig config(Checkpoint checkpoint) throws CheckpointException {
    HfConfig config =
        checkpoint
            .config()
            .orElseThrow(() -> new CheckpointException(checkpoint.location() + ": no config.json"));
    try {
      return DecoderConfig.fromJson(config.raw());
    } catch (IllegalArgumentException e) {
      throw new CheckpointException(config.source() + ": " + e.getMessage(), e);
    }
  }

  /** Opens a checkpoint directory and loads it as a decoder (the checkpoint is closed after). */
  public static DecoderModel load(Path directory) throws CheckpointException {
    try (Checkpoint checkpoint = Checkpoint.open(directory)) {
      DecoderConfig config = config(checkpoint);
      try {
        return DecoderModel.load(config, new CheckpointWeights(checkpoint));
      } catch (IllegalArgumentException e) {
        throw new CheckpointException(directory + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * Writes the model's weights (in the given dtype) and config.json as a Hugging Face checkpoint
   * directory, plus the side files given (e.g. tokenizer.json), atomically.
   */
  public static Path save(DecoderModel model, Path target, DType dtype, List<Path> sideFiles)
      throws IOException {
    String dtypeName = torchDtype(dtype);
    Map<String, float[]> weights = model.exportWeights();
    List<TensorInfo> plan = new ArrayList<>();
    for (String name : weights.keySet()) {
      plan.add(TensorInfo.of(name, dtype, model.shape(name)));
    }
    try (CheckpointWriter writer =
        CheckpointWriter.create(target, plan, CheckpointWriter.DEFAULT_SHARD_BYTES)) {
      for (Map.Entry<String, float[]> entry : weights.entrySet()) {
        writer.writeFloats(entry.getKey(), entry.getValue());
      }
      ObjectNode config = model.config().toJson();
      config.put("torch_dtype", dtypeName);
      writer.writeFile("config.json", config.toPrettyString().getBytes(StandardCharsets.UTF_8));
      for (Path file : sideFiles) {
        writer.copyFile(file, file.getFileName().toString());
      }
      return writer.commit(false);
    }
  }

  /** Records bos/eos ids in a saved checkpoint's config.json, as Hugging Face configs do. */
  public static void recordSpecialTokens(Path dir, int bos, int eos) throws IOException {
    Path file = dir.resolve("config.json");
    ObjectNode config =
        (ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper().readTree(file.toFile());
    if (bos >= 0) {
      config.put("bos_token_id", bos);
    }
    config.put("eos_token_id", eos);
    Path temp = dir.resolve(".config.json.tmp");
    java.nio.file.Files.writeString(temp, config.toPrettyString() + "\n");
    java.nio.file.Files.move(
        temp,
        file,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  private static String torchDtype(DType dtype) {
    return switch (dtype) {
      case F32 -> "float32";
      case F16 -> "float16";
      case BF16 -> "bfloat16";
      default -> throw new IllegalArgumentException("cannot save a model as " + dtype);
    };
  }
}
