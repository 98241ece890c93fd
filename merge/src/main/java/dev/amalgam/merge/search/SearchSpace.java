package dev.amalgam.merge.search;

import dev.amalgam.merge.method.MergeMethod;
import dev.amalgam.merge.recipe.ParameterValue;
import dev.amalgam.merge.recipe.Recipe;
import dev.amalgam.merge.recipe.RecipeSlice;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The genome layout of a layer-wise search: for every {@link ParameterGroup} and every input model,
 * the method's searched parameters (weight, and density for sparsifying methods), or for slerp one
 * {@code t} per group. Genes are ordered by group, then parameter, then model. Values are quantized
 * to four decimals (and below 0.001 to zero) so that a genome prints exactly as a plain recipe
 * number.
 */
public final class SearchSpace {
  /** Methods whose per-model weights and densities are searched. */
  private static final Set<String> SPARSIFYING =
      Set.of(
          "ties",
          "dare_ties",
          "dare_linear",
          "breadcrumbs",
          "breadcrumbs_ties",
          "della",
          "della_linear");

  /** Methods whose per-model weights (only) are searched. */
  private static final Set<String> WEIGHTED = Set.of("task_arithmetic", "linear");

  private static final double DENSITY_FLOOR = 0.1;
  private static final double SMALLEST_NONZERO = 0.001;

  private final MergeMethod method;
  private final List<String> models;
  private final List<SearchedParameter> parameters;
  private final List<ParameterGroup> groups;
  private final int layers;
  private final int granularity;
  private final boolean perModule;

  private SearchSpace(
      MergeMethod method,
      List<String> models,
      List<SearchedParameter> parameters,
      List<ParameterGroup> groups,
      int layers,
      int granularity,
      boolean perModule) {
    this.method = method;
    this.models = List.copyOf(models);
    this.parameters = List.copyOf(parameters);
    this.groups = List.copyOf(groups);
    this.layers = layers;
    this.granularity = granularity;
    this.perModule = perModule;
  }

  /**
   * The search space of a recipe.
   *
   * @param recipe the template recipe (a {@code models:} recipe)
   * @param layers the number of decoder layers of the models
   * @param granularity layers per group (at least 1)
   * @param perModule whether attention and MLP tensors get separate values
   * @throws IllegalArgumentException when the recipe's method has nothing to search
   */
  public static SearchSpace of(Recipe recipe, int layers, int granularity, boolean perModule) {
    if (granularity < 1) {
      throw new IllegalArgumentException(
          "--granularity must be at least 1 layer, got " + granularity);
    }
    if (layers < 1) {
      throw new IllegalArgumentException("the models have no decoder layers to search over");
    }
    List<SearchedParameter> parameters = searchedParameters(recipe);
    return new SearchSpace(
        recipe.method(),
        inputModels(recipe),
        parameters,
        groups(layers, granularity, perModule),
        layers,
        granularity,
        perModule);
  }

  /**
   * Checks that the recipe has something to search, before any model is opened.
   *
   * @throws IllegalArgumentException naming the recipe line when it has not
   */
  public static void checkSearchable(Recipe recipe) {
    searchedParameters(recipe);
  }

  private static List<String> inputModels(Recipe recipe) {
    RecipeSlice slice = recipe.slices().get(0);
    List<String> models = new ArrayList<>();
    for (int i : slice.inputIndices(recipe.method())) {
      models.add(slice.sources().get(i).model());
    }
    return models;
  }

  private static List<SearchedParameter> searchedParameters(Recipe recipe) {
    if (recipe.explicitSlices()) {
      throw new IllegalArgumentException(
          recipe.sourceName()
              + ": layer-wise search needs a models: recipe (it writes the per-layer values itself);"
              + " slices: recipes are not supported");
    }
    String name = recipe.method().name();
    List<String> models = inputModels(recipe);
    List<SearchedParameter> parameters = new ArrayList<>();
    if (name.equals("slerp")) {
      parameters.add(new SearchedParameter("t", false, 0, 1, 0.5));
    } else if (WEIGHTED.contains(name) || SPARSIFYING.contains(name)) {
      if (name.equals("linear") && models.size() < 2) {
        throw nothingToSearch(recipe, "linear over one model always gives that model");
      }
      parameters.add(new SearchedParameter("weight", true, 0, 1, quantize(1.0 / models.size())));
      if (SPARSIFYING.contains(name)) {
        double[] bounds = densityBounds(recipe);
        parameters.add(new SearchedParameter("density", true, bounds[0], bounds[1], bounds[1]));
      }
    } else {
      throw nothingToSearch(
          recipe,
          name
              + " has no per-layer weight, density or t; use task_arithmetic, ties, dare_ties,"
              + " dare_linear, della, breadcrumbs, linear or slerp");
    }
    return parameters;
  }

  private static IllegalArgumentException nothingToSearch(Recipe recipe, String why) {
    return new IllegalArgumentException(
        recipe.sourceName()
            + ":"
            + recipe.methodLine()
            + ": merge_method "
            + recipe.method().name()
            + " has nothing to search ("
            + why
            + ")");
  }

  /**
   * Density bounds: [0.1, 1], and for DELLA [ε + 0.01, 1 − ε − 0.01] with ε the largest epsilon in
   * the recipe (default 0.15), since DELLA needs 0 &lt; density ± ε &lt; 1.
   */
  private static double[] densityBounds(Recipe recipe) {
    if (!recipe.method().name().startsWith("della")) {
      return new double[] {DENSITY_FLOOR, 1};
    }
    double eps = 0.15;
    List<ParameterValue> values = new ArrayList<>();
    recipe.parameters().get("epsilon").ifPresent(values::add);
    for (var source : recipe.slices().get(0).sources()) {
      source.parameters().get("epsilon").ifPresent(values::add);
    }
    if (!values.isEmpty()) {
      eps = 0;
      for (ParameterValue v : values) {
        for (ParameterValue.NumberAt n : v.numbers()) {
          eps = Math.max(eps, n.value());
        }
      }
    }
    BigDecimal margin = BigDecimal.valueOf(eps).add(new BigDecimal("0.01"));
    double lower = margin.setScale(4, RoundingMode.CEILING).doubleValue();
    double upper = BigDecimal.ONE.subtract(margin).setScale(4, RoundingMode.FLOOR).doubleValue();
    if (!(lower < upper)) {
      throw new IllegalArgumentException(
          recipe.sourceName() + ": della epsilon " + eps + " leaves no density to search");
    }
    return new double[] {lower, upper};
  }

  private static List<ParameterGroup> groups(int layers, int granularity, boolean perModule) {
    List<ParameterGroup> groups = new ArrayList<>();
    for (int first = 0; first < layers; first += granularity) {
      int end = Math.min(layers, first + granularity);
      if (perModule) {
        groups.add(new ParameterGroup(first, end, ParameterGroup.Module.ATTENTION));
        groups.add(new ParameterGroup(first, end, ParameterGroup.Module.MLP));
      } else {
        groups.add(new ParameterGroup(first, end, ParameterGroup.Module.ALL));
      }
    }
    groups.add(ParameterGroup.outsideLayers());
    return groups;
  }

  public MergeMethod method() {
    return method;
  }

  /** The searched input models (recipe references), in recipe order, without the base. */
  public List<String> models() {
    return models;
  }

  public List<SearchedParameter> parameters() {
    return parameters;
  }

  public List<ParameterGroup> groups() {
    return groups;
  }

  public int layers() {
    return layers;
  }

  public int granularity() {
    return granularity;
  }

  public boolean perModule() {
    return perModule;
  }

  /** How many models a parameter has values for: every input, or one shared value. */
  int slots(SearchedParameter p) {
    return p.perModel() ? models.size() : 1;
  }

  private int genesPerGroup() {
    int n = 0;
    for (SearchedParameter p : parameters) {
      n += slots(p);
    }
    return n;
  }

  public int dimension() {
    return groups.size() * genesPerGroup();
  }

  /**
   * The gene index of one value.
   *
   * @param model the input position (ignored for a shared parameter)
   */
  public int index(int group, int parameter, int model) {
    int offset = group * genesPerGroup();
    for (int p = 0; p < parameter; p++) {
      offset += slots(parameters.get(p));
    }
    return offset + (parameters.get(parameter).perModel() ? model : 0);
  }

  /** The group a tensor belongs to ({@code layer} null for tensors outside the layers). */
  public int groupOf(Integer layer, String tensorName) {
    for (int g = 0; g < groups.size(); g++) {
      if (groups.get(g).contains(layer, tensorName)) {
        return g;
      }
    }
    throw new IllegalArgumentException(
        "tensor " + tensorName + " (layer " + layer + ") is in no group of " + layers + " layers");
  }

  public double[] lower() {
    return fill(p -> p.lower());
  }

  public double[] upper() {
    return fill(p -> p.upper());
  }

  /** Uniform weights 1/N, density at its upper bound (1), t = 1/2. */
  public double[] start() {
    return fill(p -> p.start());
  }

  /** A genome with every group and model at the same values (a uniform merge). */
  public double[] uniform(double... perParameter) {
    if (perParameter.length != parameters.size()) {
      throw new IllegalArgumentException(
          "a uniform genome needs " + parameters.size() + " values, got " + perParameter.length);
    }
    double[] genome = new double[dimension()];
    for (int g = 0; g < groups.size(); g++) {
      for (int p = 0; p < parameters.size(); p++) {
        for (int m = 0; m < slots(parameters.get(p)); m++) {
          genome[index(g, p, m)] = perParameter[p];
        }
      }
    }
    return quantize(genome);
  }

  private double[] fill(java.util.function.ToDoubleFunction<SearchedParameter> value) {
    double[] out = new double[dimension()];
    for (int g = 0; g < groups.size(); g++) {
      for (int p = 0; p < parameters.size(); p++) {
        for (int m = 0; m < slots(parameters.get(p)); m++) {
          out[index(g, p, m)] = value.applyAsDouble(parameters.get(p));
        }
      }
    }
    return out;
  }

  /** The genome clamped into the bounds and quantized (the form that is evaluated and written). */
  public double[] quantize(double[] genome) {
    if (genome.length != dimension()) {
      throw new IllegalArgumentException(
          "genome has " + genome.length + " values, the search space " + dimension());
    }
    double[] out = new double[genome.length];
    for (int g = 0; g < groups.size(); g++) {
      for (int p = 0; p < parameters.size(); p++) {
        SearchedParameter sp = parameters.get(p);
        for (int m = 0; m < slots(sp); m++) {
          int i = index(g, p, m);
          out[i] = quantize(sp.clamp(genome[i]));
        }
      }
    }
    return out;
  }

  static double quantize(double v) {
    if (Double.isNaN(v)) {
      throw new IllegalArgumentException("genome value is NaN");
    }
    double q = BigDecimal.valueOf(v).setScale(4, RoundingMode.HALF_EVEN).doubleValue();
    return Math.abs(q) < SMALLEST_NONZERO ? 0.0 : q;
  }

  /** A readable name of one gene: {@code L0-1/arith/weight}, {@code other/t}. */
  public String geneName(int index) {
    int perGroup = genesPerGroup();
    int g = index / perGroup;
    int rest = index % perGroup;
    for (SearchedParameter p : parameters) {
      if (rest < slots(p)) {
        String model = p.perModel() ? "/" + shortName(models.get(rest)) : "";
        return groups.get(g).label() + model + "/" + p.name();
      }
      rest -= slots(p);
    }
    throw new IllegalArgumentException("gene " + index + " outside " + dimension());
  }

  /** The last path element of a model reference (the whole reference for an expert id). */
  public static String shortName(String model) {
    String trimmed = model.replaceAll("[/\\\\]+$", "");
    int slash = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
    return slash < 0 ? trimmed : trimmed.substring(slash + 1);
  }
}
