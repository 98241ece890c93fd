package dev.amalgam.merge.method;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The registry of every merge method, by its mergekit name. */
public final class MergeMethods {
  private static final Map<String, MergeMethod> METHODS = build();

  private MergeMethods() {}

  private static Map<String, MergeMethod> build() {
    Map<String, MergeMethod> m = new LinkedHashMap<>();
    for (MergeMethod method :
        List.<MergeMethod>of(
            new LinearMethod(),
            new SlerpMethod(),
            new NuslerpMethod(),
            new MultislerpMethod(),
            new KarcherMethod(),
            new TaskArithmeticMethod("task_arithmetic", Sparsifier.NONE, false, false, false),
            new TaskArithmeticMethod("ties", Sparsifier.MAGNITUDE, true, true, false),
            new TaskArithmeticMethod("dare_ties", Sparsifier.RANDOM, true, false, true),
            new TaskArithmeticMethod("dare_linear", Sparsifier.RANDOM, false, false, true),
            new TaskArithmeticMethod("breadcrumbs", Sparsifier.OUTLIERS, false, false, false),
            new TaskArithmeticMethod("breadcrumbs_ties", Sparsifier.OUTLIERS, true, false, false),
            new TaskArithmeticMethod("della", Sparsifier.DELLA, true, true, true),
            new TaskArithmeticMethod("della_linear", Sparsifier.DELLA, false, false, true),
            new ModelStockMethod(),
            new NearswapMethod(),
            new SceMethod(),
            new PassthroughMethod())) {
      m.put(method.name(), method);
    }
    return Map.copyOf(m);
  }

  /** The method named {@code name}, if any. */
  public static Optional<MergeMethod> byName(String name) {
    return Optional.ofNullable(METHODS.get(name));
  }

  /** Every method name, sorted. */
  public static List<String> names() {
    return METHODS.keySet().stream().sorted().toList();
  }
}
