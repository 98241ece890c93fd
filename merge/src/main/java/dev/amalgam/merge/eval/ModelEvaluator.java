package dev.amalgam.merge.eval;

import dev.amalgam.merge.runtime.DecoderModel;
import dev.amalgam.merge.runtime.GreedyGenerator;
import java.util.ArrayList;
import java.util.List;

/** Greedy completion of task prompts in batches, scored by exact match of the extracted answer. */
public final class ModelEvaluator {

  private final GreedyGenerator generator;
  private final TaskEncoding encoding;
  private final int maxNewTokens;
  private final int batchSize;

  public ModelEvaluator(
      DecoderModel model, TaskEncoding encoding, int maxNewTokens, int batchSize) {
    if (maxNewTokens <= 0 || batchSize <= 0) {
      throw new IllegalArgumentException(
          "evaluation needs max new tokens > 0 and batch size > 0, got "
              + maxNewTokens
              + " and "
              + batchSize);
    }
    if (encoding.tokenizer().vocabularySize() > model.config().vocab()) {
      throw new IllegalArgumentException(
          "tokenizer has "
              + encoding.tokenizer().vocabularySize()
              + " ids but the model only "
              + model.config().vocab());
    }
    this.generator = new GreedyGenerator(model);
    this.encoding = encoding;
    this.maxNewTokens = maxNewTokens;
    this.batchSize = batchSize;
  }

  /** The model's responses to the examples' prompts, in order. */
  public List<String> complete(List<TaskExample> examples) {
    return complete(examples, done -> {});
  }

  /** As {@link #complete(List)}, reporting the number of examples done after each batch. */
  public List<String> complete(
      List<TaskExample> examples, java.util.function.IntConsumer progress) {
    List<String> outputs = new ArrayList<>();
    for (int start = 0; start < examples.size(); start += batchSize) {
      List<int[]> prompts = new ArrayList<>();
      for (TaskExample example :
          examples.subList(start, Math.min(examples.size(), start + batchSize))) {
        prompts.add(encoding.prompt(example));
      }
      for (int[] generated : generator.generate(prompts, maxNewTokens, encoding.eos())) {
        outputs.add(encoding.decodeResponse(generated));
      }
      progress.accept(outputs.size());
    }
    return outputs;
  }

  public Accuracy evaluate(List<TaskExample> examples) {
    return Accuracy.score(examples, complete(examples));
  }
}
