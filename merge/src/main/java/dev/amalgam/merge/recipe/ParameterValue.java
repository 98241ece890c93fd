package dev.amalgam.merge.recipe;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A parameter value as written in a recipe: a scalar, a gradient (a list of numbers over layers) or
 * a list of {@code {filter, value}} entries.
 */
public sealed interface ParameterValue {

  /** The 1-based recipe line of the value. */
  int line();

  /**
   * The value for one tensor, or empty when no filter entry matches.
   *
   * @param tensorName the tensor name filters are matched against (substring)
   * @param layerIndex the layer index inside the output slice, or {@code null} for tensors outside
   *     the layers (embeddings, final norm, lm_head), which take a gradient's first anchor
   * @param layersInSlice the number of layers L of the output slice
   */
  Optional<Object> evaluate(String tensorName, Integer layerIndex, int layersInSlice);

  /** Every number written in this value, with its line (for range checks). */
  List<NumberAt> numbers();

  /** Whether the value applies to every tensor (no filter list, or one with a catch-all entry). */
  boolean unconditional();

  /** A number in a recipe and where it is. */
  record NumberAt(double value, int line) {}

  /** A single number, boolean or string. Numbers are {@link Double}. */
  record Scalar(Object value, int line) implements ParameterValue {
    @Override
    public Optional<Object> evaluate(String tensorName, Integer layerIndex, int layersInSlice) {
      return Optional.of(value);
    }

    @Override
    public List<NumberAt> numbers() {
      return value instanceof Double d ? List.of(new NumberAt(d, line)) : List.of();
    }

    @Override
    public boolean unconditional() {
      return true;
    }
  }

  /**
   * A gradient: anchors spread evenly over the layers of a slice. For layer i of L, t = i/(L−1) (t
   * = 1 when L = 1), s = t·(n−1), and the value interpolates linearly between anchor ⌊s⌋ and the
   * next.
   */
  record Gradient(List<Double> anchors, List<Integer> lines, int line) implements ParameterValue {
    public Gradient {
      anchors = List.copyOf(anchors);
      lines = List.copyOf(lines);
    }

    @Override
    public Optional<Object> evaluate(String tensorName, Integer layerIndex, int layersInSlice) {
      return Optional.of(at(layerIndex, layersInSlice));
    }

    /** The interpolated value at a layer (see the class comment). */
    public double at(Integer layerIndex, int layersInSlice) {
      if (layerIndex == null) {
        return anchors.get(0);
      }
      if (layerIndex < 0 || layerIndex >= layersInSlice) {
        throw new IllegalArgumentException(
            "layer " + layerIndex + " is outside a slice of " + layersInSlice + " layers");
      }
      double t = layersInSlice == 1 ? 1 : (double) layerIndex / (layersInSlice - 1);
      int n = anchors.size();
      double s = t * (n - 1);
      int lower = (int) Math.floor(s);
      if (lower >= n - 1) {
        return anchors.get(n - 1);
      }
      double frac = s - lower;
      double a = anchors.get(lower);
      double b = anchors.get(lower + 1);
      return a + frac * (b - a);
    }

    @Override
    public List<NumberAt> numbers() {
      List<NumberAt> out = new ArrayList<>();
      for (int i = 0; i < anchors.size(); i++) {
        out.add(new NumberAt(anchors.get(i), lines.get(i)));
      }
      return out;
    }

    @Override
    public boolean unconditional() {
      return true;
    }
  }

  /** One {@code {filter, value}} entry; a {@code null} or {@code *} filter matches every tensor. */
  record FilterEntry(String filter, ParameterValue value, int line) {
    boolean matches(String tensorName) {
      return filter == null || filter.equals("*") || tensorName.contains(filter);
    }
  }

  /** A list of filter entries; the first entry whose filter is in the tensor name wins. */
  record Filtered(List<FilterEntry> entries, int line) implements ParameterValue {
    public Filtered {
      entries = List.copyOf(entries);
    }

    @Override
    public Optional<Object> evaluate(String tensorName, Integer layerIndex, int layersInSlice) {
      for (FilterEntry e : entries) {
        if (e.matches(tensorName)) {
          return e.value().evaluate(tensorName, layerIndex, layersInSlice);
        }
      }
      return Optional.empty();
    }

    @Override
    public List<NumberAt> numbers() {
      List<NumberAt> out = new ArrayList<>();
      for (FilterEntry e : entries) {
        out.addAll(e.value().numbers());
      }
      return out;
    }

    @Override
    public boolean unconditional() {
      return entries.stream().anyMatch(e -> e.filter() == null || e.filter().equals("*"));
    }
  }
}
