package dev.amalgam.merge.engine;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the union tokenizer: the base {@code tokenizer.json} with every token past its vocabulary
 * appended as an added token at its union id, so ids match the re-indexed embedding rows.
 */
final class UnionTokenizer {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private UnionTokenizer() {}

  static byte[] json(Path baseTokenizer, Vocabulary union) throws IOException {
    ObjectNode root = (ObjectNode) JSON.readTree(Files.readAllBytes(baseTokenizer));
    Vocabulary base = Vocabulary.read(baseTokenizer);
    ArrayNode added =
        root.get("added_tokens") instanceof ArrayNode a ? a : root.putArray("added_tokens");
    for (int id = base.size(); id < union.size(); id++) {
      ObjectNode t = added.addObject();
      t.put("id", id);
      t.put("content", union.token(id));
      t.put("single_word", false);
      t.put("lstrip", false);
      t.put("rstrip", false);
      t.put("normalized", true);
      t.put("special", false);
    }
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
  }
}
