package dev.amalgam.merge.recipe;

import dev.amalgam.merge.method.MergeMethod;
import dev.amalgam.merge.method.MergeMethods;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads a mergekit YAML recipe through SnakeYAML's node API (which keeps line numbers), builds a
 * {@link Recipe} and validates it. Every problem is one {@link RecipeException} naming the line.
 */
public final class RecipeParser {
  private static final List<String> TOP_KEYS =
      List.of(
          "merge_method",
          "base_model",
          "models",
          "slices",
          "parameters",
          "dtype",
          "out_dtype",
          "tokenizer_source",
          "tokenizer",
          "chat_template",
          "seed");
  private static final List<String> DTYPES = List.of("float32", "float16", "bfloat16", "float64");

  private final String source;

  private RecipeParser(String source) {
    this.source = source;
  }

  /** Parses and validates the recipe file; messages name the file by its file name. */
  public static Recipe parse(Path file) throws IOException {
    String text;
    try {
      text = Files.readString(file);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new java.nio.file.NoSuchFileException(file + ": no such recipe file");
    } catch (java.nio.charset.MalformedInputException e) {
      throw new IOException(file + ": not UTF-8 text; save the recipe as UTF-8", e);
    }
    return parse(text, file.getFileName().toString());
  }

  /** Parses and validates recipe text; {@code sourceName} prefixes every error message. */
  public static Recipe parse(String text, String sourceName) {
    RecipeParser parser = new RecipeParser(sourceName);
    Recipe recipe = parser.build(text, parser.compose(text));
    new RecipeValidator(recipe).validate();
    return recipe;
  }

  private Node compose(String text) {
    try {
      Node root =
          new Yaml(new SafeConstructor(new LoaderOptions())).compose(new StringReader(text));
      if (root == null) {
        throw new RecipeException(source, 1, "recipe is empty; add merge_method and models");
      }
      return root;
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() != null ? e.getProblemMark().getLine() + 1 : 1;
      throw new RecipeException(source, line, "invalid YAML: " + e.getProblem());
    } catch (YAMLException e) {
      throw new RecipeException(source, 1, "invalid YAML: " + e.getMessage());
    }
  }

  private Recipe build(String text, Node root) {
    Map<String, NodeTuple> top = mapping(root, "the recipe", TOP_KEYS);
    NodeTuple methodEntry = top.get("merge_method");
    if (methodEntry == null) {
      throw error(
          root, "missing merge_method; add one of " + String.join(", ", MergeMethods.names()));
    }
    String methodName = string(methodEntry.getValueNode(), "merge_method");
    MergeMethod method =
        MergeMethods.byName(methodName)
            .orElseThrow(
                () ->
                    error(
                        methodEntry.getValueNode(),
                        "unknown merge_method '"
                            + methodName
                            + "'"
                            + Suggestions.didYouMean(methodName, MergeMethods.names())));
    int methodLine = line(methodEntry.getKeyNode());
    String base = optionalString(top.get("base_model"), "base_model");
    ParameterSet global = parameters(top.get("parameters"), line(root));

    NodeTuple models = top.get("models");
    NodeTuple slicesEntry = top.get("slices");
    if (models != null && slicesEntry != null) {
      throw error(
          slicesEntry.getKeyNode(),
          "a recipe has either models or slices, not both; move the models into the slices' sources");
    }
    if (models == null && slicesEntry == null) {
      throw new RecipeException(
          source, methodLine, "the recipe lists no inputs; add models: (or slices:)");
    }
    List<RecipeSlice> slices = new ArrayList<>();
    if (models != null) {
      List<RecipeSource> sources = new ArrayList<>();
      for (Node entry : sequence(models.getValueNode(), "models")) {
        sources.add(sourceEntry(entry, false));
      }
      slices.add(
          new RecipeSlice(
              sources,
              ParameterSet.empty(line(models.getKeyNode())),
              base,
              line(models.getKeyNode())));
    } else {
      for (Node entry : sequence(slicesEntry.getValueNode(), "slices")) {
        slices.add(slice(entry, base));
      }
    }

    String dtype = dtype(top.get("dtype"), "dtype");
    String outDtype = dtype(top.get("out_dtype"), "out_dtype");
    TokenizerSettings tokenizer = tokenizer(top.get("tokenizer_source"), top.get("tokenizer"));
    String chatTemplate = optionalString(top.get("chat_template"), "chat_template");
    long seed = seed(top.get("seed"));
    return new Recipe(
        source,
        text,
        method,
        methodLine,
        base,
        slicesEntry != null,
        slices,
        global,
        dtype,
        outDtype,
        tokenizer,
        chatTemplate,
        seed);
  }

  private RecipeSlice slice(Node node, String recipeBase) {
    Map<String, NodeTuple> keys =
        mapping(node, "a slice", List.of("sources", "parameters", "base_model"));
    NodeTuple sourcesEntry = keys.get("sources");
    if (sourcesEntry == null) {
      throw error(node, "slice has no sources; add sources: with model and layer_range entries");
    }
    List<RecipeSource> sources = new ArrayList<>();
    for (Node entry : sequence(sourcesEntry.getValueNode(), "sources")) {
      sources.add(sourceEntry(entry, true));
    }
    String base = optionalString(keys.get("base_model"), "base_model");
    return new RecipeSlice(
        sources,
        parameters(keys.get("parameters"), line(node)),
        base != null ? base : recipeBase,
        line(node));
  }

  private RecipeSource sourceEntry(Node node, boolean inSlice) {
    if (node instanceof ScalarNode && !inSlice) {
      return new RecipeSource(
          string(node, "model"), null, ParameterSet.empty(line(node)), line(node));
    }
    List<String> allowed =
        inSlice ? List.of("model", "layer_range", "parameters") : List.of("model", "parameters");
    Map<String, NodeTuple> keys =
        mapping(node, inSlice ? "a slice source" : "a model entry", allowed);
    NodeTuple model = keys.get("model");
    if (model == null) {
      throw error(node, "entry has no model; add model: <path or expert id>");
    }
    LayerRange range = null;
    if (inSlice) {
      NodeTuple rangeEntry = keys.get("layer_range");
      if (rangeEntry == null) {
        throw error(node, "slice source has no layer_range; add layer_range: [start, end]");
      }
      range = layerRange(rangeEntry.getValueNode());
    }
    return new RecipeSource(
        string(model.getValueNode(), "model"),
        range,
        parameters(keys.get("parameters"), line(node)),
        line(node));
  }

  private LayerRange layerRange(Node node) {
    List<Node> items = node instanceof SequenceNode seq ? seq.getValue() : List.of();
    if (items.size() != 2 || !items.stream().allMatch(this::isInteger)) {
      throw error(node, "layer_range must be [start, end] with whole numbers (end exclusive)");
    }
    int start = Integer.parseInt(((ScalarNode) items.get(0)).getValue());
    int end = Integer.parseInt(((ScalarNode) items.get(1)).getValue());
    if (start < 0 || end <= start) {
      throw error(
          node,
          "layer_range ["
              + start
              + ", "
              + end
              + "] is empty or negative; it is half-open, so use [start, end] with end > start");
    }
    return new LayerRange(start, end);
  }

  private boolean isInteger(Node n) {
    return n instanceof ScalarNode s
        && s.getTag().equals(Tag.INT)
        && s.getValue().matches("-?\\d+");
  }

  private ParameterSet parameters(NodeTuple entry, int ownerLine) {
    if (entry == null) {
      return ParameterSet.empty(ownerLine);
    }
    Node node = entry.getValueNode();
    if (node instanceof ScalarNode s && s.getTag().equals(Tag.NULL)) {
      return ParameterSet.empty(line(node));
    }
    Map<String, NodeTuple> keys = mapping(node, "parameters", null);
    Map<String, ParameterValue> values = new LinkedHashMap<>();
    Map<String, Integer> lines = new LinkedHashMap<>();
    for (Map.Entry<String, NodeTuple> e : keys.entrySet()) {
      values.put(e.getKey(), value(e.getValue().getValueNode(), e.getKey(), true));
      lines.put(e.getKey(), line(e.getValue().getKeyNode()));
    }
    return new ParameterSet(values, lines, line(node));
  }

  private ParameterValue value(Node node, String name, boolean filtersAllowed) {
    if (node instanceof ScalarNode s) {
      return new ParameterValue.Scalar(scalar(s, name), line(node));
    }
    if (node instanceof SequenceNode seq && !seq.getValue().isEmpty()) {
      List<Node> items = seq.getValue();
      if (items.stream().allMatch(n -> n instanceof ScalarNode)) {
        List<Double> anchors = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        for (Node item : items) {
          if (!(scalar((ScalarNode) item, name) instanceof Double d)) {
            throw error(item, "gradient for '" + name + "' must list numbers only");
          }
          anchors.add(d);
          lines.add(line(item));
        }
        return new ParameterValue.Gradient(anchors, lines, line(node));
      }
      if (filtersAllowed && items.stream().allMatch(n -> n instanceof MappingNode)) {
        List<ParameterValue.FilterEntry> entries = new ArrayList<>();
        for (Node item : items) {
          Map<String, NodeTuple> keys = mapping(item, "a filter entry", List.of("filter", "value"));
          NodeTuple v = keys.get("value");
          if (v == null) {
            throw error(item, "filter entry for '" + name + "' has no value; add value: <number>");
          }
          String filter = optionalString(keys.get("filter"), "filter");
          entries.add(
              new ParameterValue.FilterEntry(
                  filter, value(v.getValueNode(), name, false), line(item)));
        }
        return new ParameterValue.Filtered(entries, line(node));
      }
    }
    throw error(
        node,
        "parameter '"
            + name
            + "' must be a number, a list of numbers (a gradient) or a list of {filter, value}");
  }

  private Object scalar(ScalarNode s, String name) {
    String v = s.getValue();
    Tag tag = s.getTag();
    if (tag.equals(Tag.INT) || tag.equals(Tag.FLOAT)) {
      try {
        return Double.parseDouble(v.replace("_", ""));
      } catch (NumberFormatException e) {
        throw error(s, "'" + name + "' value " + v + " is not a plain decimal number");
      }
    }
    if (tag.equals(Tag.BOOL)) {
      return switch (v.toLowerCase(java.util.Locale.ROOT)) {
        case "true", "yes", "on", "y" -> Boolean.TRUE;
        default -> Boolean.FALSE;
      };
    }
    if (tag.equals(Tag.NULL)) {
      throw error(s, "parameter '" + name + "' has no value; give a number or remove it");
    }
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      return v;
    }
  }

  private String dtype(NodeTuple entry, String key) {
    String value = optionalString(entry, key);
    if (value != null && !DTYPES.contains(value)) {
      throw error(
          entry.getValueNode(),
          "unknown "
              + key
              + " '"
              + value
              + "'"
              + Suggestions.didYouMean(value, DTYPES)
              + "; use one of "
              + String.join(", ", DTYPES));
    }
    return value;
  }

  private TokenizerSettings tokenizer(NodeTuple legacy, NodeTuple block) {
    if (legacy != null && block != null) {
      throw error(
          block.getKeyNode(),
          "set either tokenizer_source or tokenizer, not both; keep tokenizer: {source: ...}");
    }
    if (legacy != null) {
      return new TokenizerSettings(
          string(legacy.getValueNode(), "tokenizer_source"),
          null,
          Map.of(),
          line(legacy.getKeyNode()));
    }
    if (block == null) {
      return null;
    }
    Map<String, NodeTuple> keys =
        mapping(
            block.getValueNode(), "tokenizer", List.of("source", "tokens", "pad_to_multiple_of"));
    String src = optionalString(keys.get("source"), "tokenizer source");
    Integer pad = null;
    NodeTuple padEntry = keys.get("pad_to_multiple_of");
    if (padEntry != null) {
      if (!isInteger(padEntry.getValueNode())) {
        throw error(padEntry.getValueNode(), "pad_to_multiple_of must be a whole number");
      }
      pad = Integer.parseInt(((ScalarNode) padEntry.getValueNode()).getValue());
    }
    Map<String, Object> tokens = Map.of();
    NodeTuple tokensEntry = keys.get("tokens");
    if (tokensEntry != null) {
      Object plain = plain(tokensEntry.getValueNode());
      if (!(plain instanceof Map<?, ?> m)) {
        throw error(
            tokensEntry.getValueNode(), "tokenizer tokens must be a mapping of token to settings");
      }
      Map<String, Object> copy = new LinkedHashMap<>();
      m.forEach((k, v) -> copy.put(String.valueOf(k), v));
      tokens = copy;
    }
    return new TokenizerSettings(src != null ? src : "base", pad, tokens, line(block.getKeyNode()));
  }

  private long seed(NodeTuple entry) {
    if (entry == null) {
      return 0;
    }
    if (!isInteger(entry.getValueNode())) {
      throw error(entry.getValueNode(), "seed must be a whole number, e.g. seed: 42");
    }
    try {
      return Long.parseLong(((ScalarNode) entry.getValueNode()).getValue());
    } catch (NumberFormatException e) {
      throw error(entry.getValueNode(), "seed must fit in 64 bits");
    }
  }

  /** The keys of a mapping; rejects duplicates and, when {@code allowed} is given, unknown keys. */
  private Map<String, NodeTuple> mapping(Node node, String what, List<String> allowed) {
    if (!(node instanceof MappingNode map)) {
      throw error(node, what + " must be a mapping of keys to values");
    }
    Map<String, NodeTuple> out = new LinkedHashMap<>();
    for (NodeTuple t : map.getValue()) {
      String key = string(t.getKeyNode(), "key");
      if (out.containsKey(key)) {
        throw error(t.getKeyNode(), "duplicate key '" + key + "'; keep one");
      }
      if (key.equals("modules") && allowed == TOP_KEYS) {
        throw error(t.getKeyNode(), "mergekit 'modules' recipes are not supported; use slices");
      }
      if (allowed != null && !allowed.contains(key)) {
        throw error(
            t.getKeyNode(),
            "unknown key '"
                + key
                + "' in "
                + what
                + Suggestions.didYouMean(key, allowed)
                + "; allowed: "
                + String.join(", ", allowed));
      }
      out.put(key, t);
    }
    return out;
  }

  private List<Node> sequence(Node node, String what) {
    if (!(node instanceof SequenceNode seq) || seq.getValue().isEmpty()) {
      throw error(node, what + " must be a non-empty list");
    }
    return seq.getValue();
  }

  private String string(Node node, String what) {
    if (!(node instanceof ScalarNode s) || s.getTag().equals(Tag.NULL) || s.getValue().isBlank()) {
      throw error(node, what + " must be a plain string");
    }
    return s.getValue();
  }

  private String optionalString(NodeTuple entry, String what) {
    return entry == null ? null : string(entry.getValueNode(), what);
  }

  static int line(Node node) {
    return node.getStartMark().getLine() + 1;
  }

  private RecipeException error(Node node, String problem) {
    return new RecipeException(source, line(node), problem);
  }

  /** A node as plain maps, lists, strings, doubles and booleans. */
  private Object plain(Node node) {
    if (node instanceof ScalarNode s) {
      return s.getTag().equals(Tag.NULL) ? null : scalar(s, "value");
    }
    if (node instanceof SequenceNode seq) {
      List<Object> out = new ArrayList<>();
      for (Node item : seq.getValue()) {
        out.add(plain(item));
      }
      return out;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (NodeTuple t : ((MappingNode) node).getValue()) {
      out.put(string(t.getKeyNode(), "key"), plain(t.getValueNode()));
    }
    return out;
  }
}
