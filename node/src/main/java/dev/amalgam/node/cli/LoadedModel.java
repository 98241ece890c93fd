package dev.amalgam.node.cli;

import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.checkpoint.CheckpointException;
import dev.amalgam.merge.checkpoint.HfConfig;
import dev.amalgam.merge.eval.TaskEncoding;
import dev.amalgam.merge.runtime.DecoderCheckpoints;
import dev.amalgam.merge.runtime.DecoderModel;
import dev.amalgam.merge.tokenizer.TextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;

/** A checkpoint directory loaded into the runtime together with its tokenizer. */
public record LoadedModel(DecoderModel model, TextTokenizer tokenizer, TaskEncoding encoding)
    implements AutoCloseable {
  public static LoadedModel load(Path dir) throws CheckpointException {
    Path tokenizerFile = dir.resolve("tokenizer.json");
    if (!Files.isRegularFile(tokenizerFile)) {
      throw new CheckpointException(
          dir + ": has no tokenizer.json; the runtime needs one to read text");
    }
    HfConfig config;
    try (Checkpoint ckpt = Checkpoint.open(dir)) {
      config =
          ckpt.config()
              .orElseThrow(
                  () ->
                      new CheckpointException(dir + ": has no config.json; the runtime needs one"));
    }
    TextTokenizer tokenizer = TextTokenizer.load(tokenizerFile);
    try {
      return new LoadedModel(
          DecoderCheckpoints.load(dir), tokenizer, TaskEncoding.of(tokenizer, config));
    } catch (CheckpointException | RuntimeException e) {
      tokenizer.close();
      throw e;
    }
  }

  @Override
  public void close() {
    model.close();
    tokenizer.close();
  }
}
