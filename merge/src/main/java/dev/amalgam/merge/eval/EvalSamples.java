package dev.amalgam.merge.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Writer;
import java.util.List;

/**
 * The per-example record of an evaluation, one JSON line per example: {task, split, index,
 * instruction, response (the gold worked solution), answer, output (the model's), extracted (the
 * answer read from the output, or null), correct}. It lets a user read the wrong answers instead of
 * only counting them.
 */
public final class EvalSamples {

  private static final ObjectMapper JSON = new ObjectMapper();

  private EvalSamples() {}

  public static String line(
      String task, Split split, int index, TaskExample example, String output) {
    ObjectNode node = JSON.createObjectNode();
    node.put("task", task);
    node.put("split", split.label());
    node.put("index", index);
    node.put("instruction", example.instruction());
    node.put("response", example.response());
    node.put("answer", example.answer());
    node.put("output", output);
    node.put("extracted", AnswerExtractor.extract(output).orElse(null));
    node.put("correct", AnswerExtractor.isCorrect(output, example.answer()));
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Appends one line per example, pairing examples and outputs in order. */
  public static void write(
      Writer writer, String task, Split split, List<TaskExample> examples, List<String> outputs)
      throws IOException {
    if (examples.size() != outputs.size()) {
      throw new IllegalArgumentException(
          examples.size() + " examples but " + outputs.size() + " outputs");
    }
    for (int i = 0; i < examples.size(); i++) {
      writer.write(line(task, split, i, examples.get(i), outputs.get(i)));
      writer.write('\n');
    }
    writer.flush();
  }
}
