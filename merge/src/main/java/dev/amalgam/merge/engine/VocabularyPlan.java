package dev.amalgam.merge.engine;

import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.recipe.Recipe;
import dev.amalgam.merge.recipe.RecipeException;
import dev.amalgam.merge.recipe.TokenizerSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How embedding and lm_head rows are re-indexed when the inputs' vocabularies differ. The target
 * vocabulary is the tokenizer source's ({@code base} or a model), or for {@code union} the base
 * vocabulary followed by every other model's new tokens in recipe order. Every input is re-indexed
 * to the target before merging; a token an input lacks takes the row of the only input that has it,
 * else the base's row, else the mean of the rows of the inputs that have it. Rows past the target's
 * tokens (padding, {@code pad_to_multiple_of}) come from the padding model's own rows where it has
 * them, else are zero.
 */
final class VocabularyPlan {
  private final Vocabulary target;
  private final int rows;
  private final String paddingModel;
  private final String baseModel;
  private final Map<String, int[]> rowOf;
  private final String tokenizerSource;

  private VocabularyPlan(
      Vocabulary target,
      int rows,
      String paddingModel,
      String baseModel,
      Map<String, int[]> rowOf,
      String tokenizerSource) {
    this.target = target;
    this.rows = rows;
    this.paddingModel = paddingModel;
    this.baseModel = baseModel;
    this.rowOf = rowOf;
    this.tokenizerSource = tokenizerSource;
  }

  /** Rows of every re-indexed tensor. */
  int rows() {
    return rows;
  }

  Vocabulary target() {
    return target;
  }

  /** The model whose tokenizer files the output is built from. */
  String tokenizerSource() {
    return tokenizerSource;
  }

  /** Whether the name is a vocabulary-indexed tensor (rows are token ids). */
  static boolean isVocabularyTensor(String name) {
    return name.contains("embed_tokens") || name.endsWith("lm_head.weight");
  }

  /**
   * Returns the plan, or empty when every input has the same vocabulary (or none is known).
   * Different vocabularies without a tokenizer setting are an error naming the models and the fix.
   */
  static Optional<VocabularyPlan> build(
      Recipe recipe, Map<String, Checkpoint> inputs, String reference) {
    Map<String, Vocabulary> vocabularies = new LinkedHashMap<>();
    for (String model : recipe.referencedModels()) {
      Optional<Path> file = inputs.get(model).tokenizerJson();
      if (file.isPresent()) {
        try {
          vocabularies.put(model, Vocabulary.read(file.get()));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    if (vocabularies.values().stream().distinct().count() <= 1) {
      return Optional.empty();
    }
    TokenizerSettings tok = recipe.tokenizer();
    if (tok == null) {
      List<String> names = new ArrayList<>(vocabularies.keySet());
      String other =
          names.stream()
              .filter(n -> !vocabularies.get(n).equals(vocabularies.get(names.get(0))))
              .findFirst()
              .orElseThrow();
      throw new RecipeException(
          recipe.sourceName(),
          recipe.methodLine(),
          "models '"
              + names.get(0)
              + "' and '"
              + other
              + "' have different vocabularies ("
              + vocabularies.get(names.get(0)).size()
              + " vs "
              + vocabularies.get(other).size()
              + " ids); add tokenizer_source: union (or base, or a model name)");
    }
    String source = tok.isUnion() || tok.isBase() ? reference : tok.model();
    Vocabulary sourceVocabulary = vocabularies.get(source);
    if (sourceVocabulary == null) {
      throw new RecipeException(
          recipe.sourceName(),
          tok.line(),
          "tokenizer source '" + source + "' has no tokenizer.json to take the vocabulary from");
    }
    Vocabulary target = sourceVocabulary;
    if (tok.isUnion()) {
      List<String> tokens = new ArrayList<>(sourceVocabulary.tokens());
      java.util.Set<String> seen = new java.util.HashSet<>(tokens);
      for (Vocabulary v : vocabularies.values()) {
        for (String t : v.tokens()) {
          if (t != null && seen.add(t)) {
            tokens.add(t);
          }
        }
      }
      target = new Vocabulary(tokens);
    }
    int rows = Math.max(target.size(), embeddingRows(inputs.get(source)));
    if (tok.padToMultipleOf() != null && tok.padToMultipleOf() > 0) {
      int k = tok.padToMultipleOf();
      rows = (rows + k - 1) / k * k;
    }
    Map<String, int[]> rowOf = new LinkedHashMap<>();
    for (Map.Entry<String, Vocabulary> e : vocabularies.entrySet()) {
      int[] map = new int[target.size()];
      for (int id = 0; id < target.size(); id++) {
        String t = target.token(id);
        map[id] = t == null ? -1 : e.getValue().id(t);
      }
      rowOf.put(e.getKey(), map);
    }
    return Optional.of(new VocabularyPlan(target, rows, source, recipe.baseModel(), rowOf, source));
  }

  private static int embeddingRows(Checkpoint c) {
    for (String name : c.tensorNames()) {
      if (isVocabularyTensor(name)) {
        return (int) c.info(name).dim(0);
      }
    }
    return 0;
  }

  /**
   * Re-indexes one tensor of every input to the target vocabulary.
   *
   * @param raw each input model's tensor as loaded, [its rows, width] row-major
   * @param width elements per row
   * @return each input's tensor with {@link #rows()} rows, same keys
   */
  Map<String, float[]> align(Map<String, float[]> raw, int width) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (String model : raw.keySet()) {
      out.put(model, new float[rows * width]);
    }
    for (int id = 0; id < rows; id++) {
      if (id >= target.size() || target.token(id) == null) {
        float[] pad = raw.get(paddingModel);
        for (float[] dst : out.values()) {
          if (pad != null && (long) (id + 1) * width <= pad.length) {
            System.arraycopy(pad, id * width, dst, id * width, width);
          }
        }
        continue;
      }
      List<String> holders = new ArrayList<>();
      for (String model : raw.keySet()) {
        if (rowIn(model, id, raw.get(model), width) >= 0) {
          holders.add(model);
        }
      }
      float[] fill = fillRow(id, holders, raw, width);
      for (Map.Entry<String, float[]> e : out.entrySet()) {
        int row = rowIn(e.getKey(), id, raw.get(e.getKey()), width);
        if (row >= 0) {
          System.arraycopy(raw.get(e.getKey()), row * width, e.getValue(), id * width, width);
        } else if (fill != null) {
          System.arraycopy(fill, 0, e.getValue(), id * width, width);
        }
      }
    }
    return out;
  }

  private int rowIn(String model, int id, float[] tensor, int width) {
    int[] map = rowOf.get(model);
    if (map == null) {
      return (long) (id + 1) * width <= tensor.length ? id : -1;
    }
    int row = map[id];
    return row >= 0 && (long) (row + 1) * width <= tensor.length ? row : -1;
  }

  private float[] fillRow(int id, List<String> holders, Map<String, float[]> raw, int width) {
    if (holders.isEmpty()) {
      return null;
    }
    if (holders.size() == 1) {
      return copyRow(holders.get(0), id, raw, width);
    }
    if (baseModel != null && holders.contains(baseModel)) {
      return copyRow(baseModel, id, raw, width);
    }
    float[] mean = new float[width];
    for (int k = 0; k < width; k++) {
      double sum = 0;
      for (String h : holders) {
        sum += raw.get(h)[rowIn(h, id, raw.get(h), width) * width + k];
      }
      mean[k] = (float) (sum / holders.size());
    }
    return mean;
  }

  private float[] copyRow(String model, int id, Map<String, float[]> raw, int width) {
    float[] row = new float[width];
    System.arraycopy(
        raw.get(model), rowIn(model, id, raw.get(model), width) * width, row, 0, width);
    return row;
  }
}
