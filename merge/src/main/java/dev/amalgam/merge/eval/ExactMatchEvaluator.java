package dev.amalgam.merge.eval;

import dev.amalgam.merge.runtime.DecoderModel;
import dev.amalgam.merge.runtime.GreedyGenerator;
import dev.amalgam.merge.tokenizer.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Exact-match accuracy: greedy generation from each example's prompt (in batches, with a KV cache),
 * answer extraction from the decoded text, comparison with the gold answer.
 */
public final class ExactMatchEvaluator {
  private final DecoderModel model;
  private final TextTokenizer tokenizer;
  private final PromptFormat format;
  private final int batchSize;
  private final int maxNewTokens;

  public ExactMatchEvaluator(
      DecoderModel model,
      TextTokenizer tokenizer,
      PromptFormat format,
      int batchSize,
      int maxNewTokens) {
    if (batchSize < 1 || maxNewTokens < 1) {
      throw new IllegalArgumentException("batch size and max new tokens must be positive");
    }
    this.model = model;
    this.tokenizer = tokenizer;
    this.format = format;
    this.batchSize = batchSize;
    this.maxNewTokens = maxNewTokens;
  }

  /**
   * Decoded outputs, one per example, in order; {@code done} receives the count after each batch.
   */
  public List<String> outputs(List<TaskExample> examples, IntConsumer done) {
    GreedyGenerator generator = new GreedyGenerator(model);
    List<String> outputs = new ArrayList<>(examples.size());
    for (int from = 0; from < examples.size(); from += batchSize) {
      List<int[]> prompts = new ArrayList<>();
      for (TaskExample e : examples.subList(from, Math.min(examples.size(), from + batchSize))) {
        prompts.add(format.promptIds(tokenizer, e));
      }
      for (int[] generated : generator.generate(prompts, maxNewTokens, format.eos())) {
        outputs.add(tokenizer.decode(withoutStop(generated), true));
      }
      done.accept(outputs.size());
    }
    return outputs;
  }

  public Accuracy accuracy(List<TaskExample> examples, IntConsumer done) {
    return Accuracy.score(examples, outputs(examples, done));
  }

  private int[] withoutStop(int[] generated) {
    if (generated.length > 0 && generated[generated.length - 1] == format.eos()) {
      return Arrays.copyOf(generated, generated.length - 1);
    }
    return generated;
  }
}
