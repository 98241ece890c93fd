package dev.amalgam.merge.method;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Parameter values resolved for one tensor: global values, and per-model values aligned with {@link
 * MergeInput#models()}. Values are {@link Double}, {@link Boolean} or {@link String}.
 */
public final class ResolvedParameters {
  private final Map<String, Object> global;
  private final List<Map<String, Object>> perModel;

  private ResolvedParameters(Map<String, Object> global, List<Map<String, Object>> perModel) {
    this.global = global;
    this.perModel = perModel;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The global value of {@code name}, or {@code null}. */
  public Object global(String name) {
    return global.get(name);
  }

  /** The value of {@code name} for model {@code model}, or {@code null}. */
  public Object forModel(String name, int model) {
    return model < perModel.size() ? perModel.get(model).get(name) : null;
  }

  /** Returns these values with every method default filled in, checking types and presence. */
  ResolvedParameters withDefaults(String method, String tensor, List<ParameterSpec> specs, int n) {
    Builder out = new Builder();
    for (ParameterSpec spec : specs) {
      if (spec.perModel()) {
        for (int i = 0; i < n; i++) {
          Object v = forModel(spec.name(), i);
          if (v == null) {
            v = global(spec.name());
          }
          out.model(i, spec.name(), checked(method, tensor, spec, v, "model " + i));
        }
      } else {
        out.global(spec.name(), checked(method, tensor, spec, global(spec.name()), "global"));
      }
    }
    return out.build();
  }

  private static Object checked(
      String method, String tensor, ParameterSpec spec, Object v, String where) {
    if (v == null) {
      v = spec.defaultValue();
    }
    if (v == null) {
      throw new MergeException(
          "tensor " + tensor + ": " + method + " needs '" + spec.name() + "' (" + where + ")");
    }
    boolean ok =
        switch (spec.kind()) {
          case NUMBER, INTEGER -> v instanceof Number;
          case BOOLEAN -> v instanceof Boolean;
          case RESCALE -> v instanceof Boolean || "elementwise".equals(v);
        };
    if (!ok) {
      throw new MergeException(
          "tensor "
              + tensor
              + ": "
              + method
              + " parameter '"
              + spec.name()
              + "' has value "
              + v
              + " of the wrong type (expected "
              + spec.kind().name().toLowerCase(java.util.Locale.ROOT)
              + ")");
    }
    return v instanceof Number num ? (Object) num.doubleValue() : v;
  }

  double number(String name, int model) {
    return ((Number) perModel.get(model).get(name)).doubleValue();
  }

  double number(String name) {
    return ((Number) global.get(name)).doubleValue();
  }

  boolean bool(String name) {
    return (Boolean) global.get(name);
  }

  Object raw(String name) {
    return global.get(name);
  }

  @Override
  public String toString() {
    return "global=" + global + " perModel=" + perModel;
  }

  /** Builds {@link ResolvedParameters}; numbers are stored as doubles. */
  public static final class Builder {
    private final Map<String, Object> global = new HashMap<>();
    private final List<Map<String, Object>> perModel = new ArrayList<>();

    public Builder global(String name, Object value) {
      global.put(name, normalize(value));
      return this;
    }

    public Builder model(int model, String name, Object value) {
      while (perModel.size() <= model) {
        perModel.add(new HashMap<>());
      }
      perModel.get(model).put(name, normalize(value));
      return this;
    }

    private static Object normalize(Object value) {
      return value instanceof Number n ? (Object) n.doubleValue() : value;
    }

    public ResolvedParameters build() {
      List<Map<String, Object>> copy = new ArrayList<>();
      for (Map<String, Object> m : perModel) {
        copy.add(Map.copyOf(m));
      }
      return new ResolvedParameters(Map.copyOf(global), List.copyOf(copy));
    }
  }
}
