package dev.amalgam.merge.recipe;

import dev.amalgam.merge.method.MergeMethod;
import dev.amalgam.merge.method.ParameterSpec;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Semantic checks of a parsed recipe against its merge method: base model, number of inputs, layer
 * ranges, parameter names, types, presence and ranges. The first problem is thrown with its line.
 */
final class RecipeValidator {
  private final Recipe recipe;
  private final MergeMethod method;

  RecipeValidator(Recipe recipe) {
    this.recipe = recipe;
    this.method = recipe.method();
  }

  void validate() {
    for (RecipeSlice slice : recipe.slices()) {
      checkBaseAndInputs(slice);
    }
    checkParameters(recipe.parameters(), Level.GLOBAL);
    for (RecipeSlice slice : recipe.slices()) {
      checkParameters(slice.parameters(), Level.SLICE);
      for (RecipeSource source : slice.sources()) {
        checkParameters(source.parameters(), Level.MODEL);
      }
      checkLayerRanges(slice);
      checkRequired(slice);
      checkRanges(slice);
    }
  }

  private enum Level {
    GLOBAL,
    SLICE,
    MODEL
  }

  private int sliceLine(RecipeSlice slice) {
    return recipe.explicitSlices() ? slice.line() : recipe.methodLine();
  }

  private void checkBaseAndInputs(RecipeSlice slice) {
    String name = method.name();
    if (method.requiresBase() && slice.baseModel() == null) {
      throw error(
          recipe.methodLine(), name + " needs base_model; add 'base_model: <path or expert id>'");
    }
    if (recipe.explicitSlices()
        && method.usesBase()
        && slice.baseModel() != null
        && slice.baseSourceIndex() < 0) {
      throw error(
          slice.line(),
          "base_model '"
              + slice.baseModel()
              + "' is not among this slice's sources; add it with its layer_range");
    }
    String problem =
        method.checkInputs(slice.inputIndices(method).size(), slice.baseModel() != null);
    if (problem != null) {
      throw error(sliceLine(slice), problem);
    }
  }

  private void checkLayerRanges(RecipeSlice slice) {
    if (!recipe.explicitSlices()) {
      return;
    }
    int expected = slice.sources().get(0).layerRange().count();
    for (RecipeSource s : slice.sources()) {
      int count = s.layerRange().count();
      if (count != expected) {
        throw error(
            s.line(),
            "layer_range of '"
                + s.model()
                + "' spans "
                + count
                + " layers but the slice's first source spans "
                + expected
                + "; give every source of a slice the same number of layers");
      }
    }
  }

  private void checkParameters(ParameterSet set, Level level) {
    for (Map.Entry<String, ParameterValue> e : set.values().entrySet()) {
      String key = e.getKey();
      int line = set.keyLines().get(key);
      Optional<ParameterSpec> spec = method.parameter(key);
      if (spec.isEmpty()) {
        List<String> names = method.parameters().stream().map(ParameterSpec::name).toList();
        throw error(
            line,
            method.name()
                + " has no parameter '"
                + key
                + "'"
                + Suggestions.didYouMean(key, names)
                + (names.isEmpty()
                    ? "; it takes no parameters"
                    : "; it accepts " + String.join(", ", names)));
      }
      if (level == Level.MODEL && !spec.get().perModel()) {
        throw error(
            line,
            "'"
                + key
                + "' is one value for all models in "
                + method.name()
                + "; move it from the model's parameters to the slice or top-level parameters");
      }
      checkType(spec.get(), e.getValue());
    }
  }

  private void checkType(ParameterSpec spec, ParameterValue value) {
    switch (value) {
      case ParameterValue.Filtered f -> {
        for (ParameterValue.FilterEntry entry : f.entries()) {
          checkType(spec, entry.value());
        }
      }
      case ParameterValue.Gradient g -> {
        if (spec.kind() != ParameterSpec.Kind.NUMBER) {
          throw error(g.line(), "'" + spec.name() + "' cannot vary over layers; give one value");
        }
      }
      case ParameterValue.Scalar s -> {
        Object v = s.value();
        boolean ok =
            switch (spec.kind()) {
              case NUMBER -> v instanceof Double;
              case INTEGER -> v instanceof Double d && d == Math.rint(d);
              case BOOLEAN -> v instanceof Boolean;
              case RESCALE -> v instanceof Boolean || "elementwise".equals(v);
            };
        if (!ok) {
          String expected =
              switch (spec.kind()) {
                case NUMBER -> "a number";
                case INTEGER -> "a whole number";
                case BOOLEAN -> "true or false";
                case RESCALE -> "true, false or elementwise";
              };
          throw error(s.line(), "'" + spec.name() + "' must be " + expected + ", not '" + v + "'");
        }
      }
    }
  }

  private void checkRequired(RecipeSlice slice) {
    for (ParameterSpec spec : method.parameters()) {
      if (!spec.required()) {
        continue;
      }
      boolean shared = slice.parameters().has(spec.name()) || recipe.parameters().has(spec.name());
      if (spec.perModel()) {
        for (int i : slice.inputIndices(method)) {
          RecipeSource s = slice.sources().get(i);
          if (!shared && !s.parameters().has(spec.name())) {
            throw error(
                s.line(),
                method.name()
                    + " needs '"
                    + spec.name()
                    + "' for model '"
                    + s.model()
                    + "'; add parameters: {"
                    + spec.name()
                    + ": ...} to it");
          }
        }
      } else if (!shared) {
        throw error(
            sliceLine(slice),
            method.name()
                + " needs parameter '"
                + spec.name()
                + "'; add it under parameters: (e.g. "
                + spec.name()
                + ": 0.5)");
      }
    }
  }

  private void checkRanges(RecipeSlice slice) {
    List<ParameterSet> shared = List.of(slice.parameters(), recipe.parameters());
    for (int i : slice.inputIndices(method)) {
      List<ParameterSet> levels = new ArrayList<>();
      levels.add(slice.sources().get(i).parameters());
      levels.addAll(shared);
      if (method.parameter("density").isPresent()) {
        for (ParameterValue.NumberAt d : numbers(levels, "density")) {
          if (!(d.value() > 0 && d.value() <= 1)) {
            throw error(d.line(), "density " + fmt(d.value()) + " must be in (0, 1]");
          }
        }
      }
      if (method.parameter("gamma").isPresent()) {
        for (ParameterValue.NumberAt g : numbers(levels, "gamma")) {
          if (!(g.value() >= 0 && g.value() < 1)) {
            throw error(g.line(), "gamma " + fmt(g.value()) + " must be in [0, 1)");
          }
        }
      }
      if (method.parameter("epsilon").isPresent()) {
        checkDellaRange(levels);
      }
    }
  }

  private void checkDellaRange(List<ParameterSet> levels) {
    List<ParameterValue.NumberAt> densities = withDefault(levels, "density");
    List<ParameterValue.NumberAt> epsilons = withDefault(levels, "epsilon");
    for (ParameterValue.NumberAt d : densities) {
      for (ParameterValue.NumberAt e : epsilons) {
        if (!(d.value() - e.value() > 0 && d.value() + e.value() < 1)) {
          boolean defaultDensity = d.line() == 0;
          throw error(
              defaultDensity ? recipe.methodLine() : d.line(),
              method.name()
                  + " density "
                  + fmt(d.value())
                  + (defaultDensity ? " (the default)" : "")
                  + " ± epsilon "
                  + fmt(e.value())
                  + (e.line() == 0 ? " (the default)" : "")
                  + " must stay inside (0, 1); "
                  + (defaultDensity ? "set density, e.g. 0.5" : "lower epsilon or move density"));
        }
      }
    }
  }

  /** Numbers of a parameter at the given levels, plus the default (line 0) if it may apply. */
  private List<ParameterValue.NumberAt> withDefault(List<ParameterSet> levels, String name) {
    List<ParameterValue.NumberAt> out = new ArrayList<>(numbers(levels, name));
    boolean covered =
        levels.stream().anyMatch(l -> l.get(name).map(ParameterValue::unconditional).orElse(false));
    if (!covered) {
      Object def = method.parameter(name).orElseThrow().defaultValue();
      out.add(new ParameterValue.NumberAt(((Number) def).doubleValue(), 0));
    }
    return out;
  }

  /**
   * Numbers of a parameter that can apply, most specific level first; a level whose value applies
   * to every tensor shadows the levels after it.
   */
  private static List<ParameterValue.NumberAt> numbers(List<ParameterSet> levels, String name) {
    List<ParameterValue.NumberAt> out = new ArrayList<>();
    for (ParameterSet level : levels) {
      Optional<ParameterValue> v = level.get(name);
      if (v.isPresent()) {
        out.addAll(v.get().numbers());
        if (v.get().unconditional()) {
          break;
        }
      }
    }
    return out;
  }

  static String fmt(double v) {
    return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }

  private RecipeException error(int line, String problem) {
    return new RecipeException(recipe.sourceName(), line, problem);
  }
}
