package dev.amalgam.merge.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads and writes task examples as JSON lines {instruction, response, answer}. */
public final class TaskJsonl {

  private static final ObjectMapper JSON = new ObjectMapper();

  private TaskJsonl() {}

  public static String toLine(TaskExample example) {
    ObjectNode node = JSON.createObjectNode();
    node.put("instruction", example.instruction());
    node.put("response", example.response());
    node.put("answer", example.answer());
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static void write(Path file, List<TaskExample> examples) throws IOException {
    try (BufferedWriter writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (TaskExample example : examples) {
        writer.write(toLine(example));
        writer.write('\n');
      }
    }
  }

  public static List<TaskExample> read(Path file) throws IOException {
    List<TaskExample> examples = new ArrayList<>();
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int number = 0;
      while ((line = reader.readLine()) != null) {
        number++;
        if (line.isBlank()) {
          continue;
        }
        examples.add(parse(line, file + ":" + number));
      }
    }
    return examples;
  }

  private static TaskExample parse(String line, String where) {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(where + ": not valid JSON: " + e.getOriginalMessage());
    }
    if (!node.isObject()) {
      throw new IllegalArgumentException(where + ": expected a JSON object");
    }
    String instruction = field(node, "instruction", where);
    String response = field(node, "response", where);
    String answer = field(node, "answer", where);
    try {
      return new TaskExample(instruction, response, answer);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage());
    }
  }

  private static String field(JsonNode node, String name, String where) {
    JsonNode value = node.get(name);
    if (value == null || !value.isTextual()) {
      throw new IllegalArgumentException(where + ": field '" + name + "' missing or not a string");
    }
    return value.asText();
  }
}
