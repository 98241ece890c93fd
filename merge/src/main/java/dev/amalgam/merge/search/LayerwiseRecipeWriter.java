package dev.amalgam.merge.search;

import dev.amalgam.merge.recipe.Recipe;
import dev.amalgam.merge.recipe.RecipeSlice;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Turns a genome into a plain mergekit-style recipe: the template recipe with each searched
 * parameter replaced by per-layer values. A layer value is a gradient list with one anchor per
 * layer (anchor i lands exactly on layer i); tensors outside the layers get their own value through
 * {@code {filter: <tensor name>, value}} entries, and with separate attention and MLP values the
 * layer lists sit behind {@code self_attn} / {@code input_layernorm} filters and a catch-all entry
 * for the MLP half. Everything else in the template (other parameters, dtype, tokenizer, seed) is
 * kept as written.
 */
public final class LayerwiseRecipeWriter {
  private final Recipe template;
  private final Map<String, Object> document;
  private final Map<String, String> renames;
  private final List<String> outsideTensors;

  /**
   * @param template the parsed template recipe
   * @param renames model references to write differently (e.g. paths made relative to the output);
   *     references not in the map are kept
   * @param outsideTensors names of the tensors outside the layers (embeddings, final norm, lm_head)
   */
  public LayerwiseRecipeWriter(
      Recipe template, Map<String, String> renames, List<String> outsideTensors) {
    this.template = template;
    Object loaded = new Yaml(new SafeConstructor(new LoaderOptions())).load(template.text());
    @SuppressWarnings("unchecked")
    Map<String, Object> map = (Map<String, Object>) loaded;
    this.document = map;
    this.renames = Map.copyOf(renames);
    this.outsideTensors = List.copyOf(outsideTensors);
  }

  /** The recipe text for a (quantized) genome, preceded by the given comment lines. */
  public String write(SearchSpace space, double[] genome, List<String> comments) {
    Map<String, Object> out = copy(document);
    RecipeSlice slice = template.slices().get(0);
    List<Integer> inputs = slice.inputIndices(space.method());
    @SuppressWarnings("unchecked")
    List<Object> models = (List<Object>) out.get("models");
    Map<String, Object> global = mapAt(out, "parameters");
    for (SearchedParameter p : space.parameters()) {
      global.remove(p.name());
    }
    for (int s = 0; s < models.size(); s++) {
      Object entry = models.get(s);
      Map<String, Object> m;
      if (entry instanceof Map<?, ?>) {
        @SuppressWarnings("unchecked")
        Map<String, Object> cast = (Map<String, Object>) entry;
        m = cast;
      } else {
        m = new LinkedHashMap<>();
        m.put("model", entry);
        models.set(s, m);
      }
      m.put("model", rename(String.valueOf(m.get("model"))));
      int position = inputs.indexOf(s);
      if (position < 0) {
        continue;
      }
      Map<String, Object> params = mapAt(m, "parameters");
      for (int p = 0; p < space.parameters().size(); p++) {
        if (space.parameters().get(p).perModel()) {
          params.put(space.parameters().get(p).name(), value(space, genome, p, position));
        }
      }
    }
    for (int p = 0; p < space.parameters().size(); p++) {
      if (!space.parameters().get(p).perModel()) {
        global.put(space.parameters().get(p).name(), value(space, genome, p, 0));
      }
    }
    if (global.isEmpty()) {
      out.remove("parameters");
    }
    if (out.get("base_model") != null) {
      out.put("base_model", rename(String.valueOf(out.get("base_model"))));
    }
    StringBuilder text = new StringBuilder();
    for (String c : comments) {
      text.append("# ").append(c).append('\n');
    }
    text.append(yaml().dump(out));
    return text.toString();
  }

  private String rename(String model) {
    return renames.getOrDefault(model, model);
  }

  /** One model's (or the shared) value of parameter p over all groups, in recipe form. */
  private Object value(SearchSpace space, double[] genome, int p, int model) {
    List<ParameterGroup> groups = space.groups();
    int layers = space.layers();
    Double outside = null;
    List<Double> whole = new ArrayList<>();
    List<Double> attention = new ArrayList<>();
    List<Double> mlp = new ArrayList<>();
    for (int i = 0; i < layers; i++) {
      whole.add(null);
      attention.add(null);
      mlp.add(null);
    }
    for (int g = 0; g < groups.size(); g++) {
      ParameterGroup group = groups.get(g);
      double v = genome[space.index(g, p, model)];
      if (group.outside()) {
        outside = v;
        continue;
      }
      for (int layer = group.firstLayer(); layer < group.endLayer(); layer++) {
        switch (group.module()) {
          case ALL -> whole.set(layer, v);
          case ATTENTION -> attention.set(layer, v);
          case MLP -> mlp.set(layer, v);
        }
      }
    }
    List<Object> entries = new ArrayList<>();
    if (space.perModule()) {
      if (attention.equals(mlp)) {
        return withOutside(outside, attention, entries);
      }
      for (String t : outsideTensors) {
        entries.add(entry(t, outside));
      }
      entries.add(entry("self_attn", compact(attention)));
      entries.add(entry("input_layernorm", compact(attention)));
      entries.add(entry(null, compact(mlp)));
      return entries;
    }
    return withOutside(outside, whole, entries);
  }

  private Object withOutside(Double outside, List<Double> layers, List<Object> entries) {
    boolean outsideIsFirstAnchor = outside.equals(layers.get(0)) || outsideTensors.isEmpty();
    if (outsideIsFirstAnchor) {
      return compact(layers);
    }
    for (String t : outsideTensors) {
      entries.add(entry(t, outside));
    }
    entries.add(entry(null, compact(layers)));
    return entries;
  }

  /** A list with every value equal becomes that one number. */
  private static Object compact(List<Double> values) {
    return values.stream().distinct().count() == 1 ? values.get(0) : new ArrayList<>(values);
  }

  private static Map<String, Object> entry(String filter, Object value) {
    Map<String, Object> e = new LinkedHashMap<>();
    if (filter != null) {
      e.put("filter", filter);
    }
    e.put("value", value);
    return e;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> mapAt(Map<String, Object> owner, String key) {
    Object v = owner.get(key);
    if (v instanceof Map<?, ?>) {
      return (Map<String, Object>) v;
    }
    Map<String, Object> fresh = new LinkedHashMap<>();
    owner.put(key, fresh);
    return fresh;
  }

  @SuppressWarnings("unchecked")
  private static <T> T copy(T value) {
    if (value instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), copy(v)));
      return (T) out;
    }
    if (value instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      l.forEach(v -> out.add(copy(v)));
      return (T) out;
    }
    return value;
  }

  private static Yaml yaml() {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.AUTO);
    options.setIndent(2);
    options.setWidth(100);
    return new Yaml(options);
  }
}
