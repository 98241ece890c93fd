package dev.amalgam.merge.eval;

/**
 * One reasoning problem: the instruction shown to the model, a worked response ending in {@code
 * Answer: <answer>}, and the exact answer. The JSONL line format is exactly these three fields.
 */
public record TaskExample(String instruction, String response, String answer) {

  public TaskExample {
    if (instruction == null || instruction.isBlank()) {
      throw new IllegalArgumentException("task example: instruction is empty");
    }
    if (response == null || answer == null || answer.isBlank()) {
      throw new IllegalArgumentException("task example: response or answer is missing");
    }
  }

  /** The text a model is prompted with; the response follows it directly. */
  public String prompt() {
    return instruction + "\n";
  }
}
