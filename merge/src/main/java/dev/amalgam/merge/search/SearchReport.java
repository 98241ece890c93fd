package dev.amalgam.merge.search;

import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Writes the report directory: {@code fitness.png} (every evaluation and the best so far), {@code
 * weights.png} (heatmap of the found per-layer values, one per searched parameter: {@code
 * density.png} too when densities were searched) and {@code report.md} (dev fitness of the start,
 * best uniform and layer-wise merges; the test table with 95% intervals; the additive comparison).
 * Charts are drawn headless.
 */
public final class SearchReport {

  /** What the report describes. */
  public record Contents(
      String title,
      List<String> settings,
      SearchSpace space,
      List<Evaluation> history,
      Evaluation start,
      Evaluation bestUniform,
      Evaluation layerwise,
      double evaluationsPerMinute,
      TestScores base,
      List<TestScores> experts,
      TestScores uniform,
      TestScores searched) {}

  private SearchReport() {}

  public static void write(Path dir, Contents c) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Files.createDirectories(dir);
    fitnessChart(c, dir.resolve("fitness.png"));
    for (int p = 0; p < c.space().parameters().size(); p++) {
      String name = c.space().parameters().get(p).name();
      String file = name.equals("density") ? "density.png" : "weights.png";
      heatmap(c.space(), c.layerwise().genome(), p, dir.resolve(file));
    }
    Files.writeString(dir.resolve("report.md"), markdown(c), StandardCharsets.UTF_8);
  }

  private static void fitnessChart(Contents c, Path file) throws IOException {
    XYChart chart =
        new XYChartBuilder()
            .width(800)
            .height(500)
            .title("Dev fitness over evaluations")
            .xAxisTitle("evaluation")
            .yAxisTitle("fitness")
            .build();
    List<Integer> x = new ArrayList<>();
    List<Double> each = new ArrayList<>();
    List<Double> best = new ArrayList<>();
    double running = Double.NEGATIVE_INFINITY;
    for (Evaluation e : c.history()) {
      x.add(e.index());
      each.add(e.fitness());
      running = Math.max(running, e.fitness());
      best.add(running);
    }
    XYSeries points = chart.addSeries("evaluation", x, each);
    points.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    points.setMarker(SeriesMarkers.CIRCLE);
    XYSeries line = chart.addSeries("best so far", x, best);
    line.setMarker(SeriesMarkers.NONE);
    if (c.bestUniform() != null && x.size() > 1) {
      XYSeries uniform =
          chart.addSeries(
              "best uniform merge",
              List.of(x.get(0), x.get(x.size() - 1)),
              List.of(c.bestUniform().fitness(), c.bestUniform().fitness()));
      uniform.setMarker(SeriesMarkers.NONE);
      uniform.setLineColor(Color.GRAY);
    }
    BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  private static void heatmap(SearchSpace space, double[] genome, int parameter, Path file)
      throws IOException {
    SearchedParameter p = space.parameters().get(parameter);
    List<String> columns = new ArrayList<>();
    for (int layer = 0; layer < space.layers(); layer++) {
      columns.add(Integer.toString(layer));
    }
    columns.add("other");
    List<String> rows = new ArrayList<>();
    List<ParameterGroup.Module> modules =
        space.perModule()
            ? List.of(ParameterGroup.Module.ATTENTION, ParameterGroup.Module.MLP)
            : List.of(ParameterGroup.Module.ALL);
    int slots = space.slots(p);
    List<Number[]> cells = new ArrayList<>();
    for (int m = 0; m < slots; m++) {
      for (ParameterGroup.Module module : modules) {
        String row =
            (p.perModel() ? SearchSpace.shortName(space.models().get(m)) : p.name())
                + (module == ParameterGroup.Module.ALL
                    ? ""
                    : module == ParameterGroup.Module.ATTENTION ? " attn" : " mlp");
        int y = rows.size();
        rows.add(row);
        for (int g = 0; g < space.groups().size(); g++) {
          ParameterGroup group = space.groups().get(g);
          double v = genome[space.index(g, parameter, m)];
          if (group.outside()) {
            cells.add(new Number[] {columns.size() - 1, y, v});
          } else if (group.module() == module) {
            for (int layer = group.firstLayer(); layer < group.endLayer(); layer++) {
              cells.add(new Number[] {layer, y, v});
            }
          }
        }
      }
    }
    HeatMapChart chart =
        new HeatMapChartBuilder()
            .width(Math.max(500, 60 * columns.size() + 250))
            .height(Math.max(300, 50 * rows.size() + 150))
            .title("Found per-layer " + p.name())
            .xAxisTitle("layer")
            .build();
    chart.getStyler().setShowValue(true);
    chart.getStyler().setMin(p.lower());
    chart.getStyler().setMax(p.upper());
    chart.addSeries(p.name(), columns, rows, cells);
    BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  static String markdown(Contents c) {
    StringBuilder md = new StringBuilder();
    md.append("# ").append(c.title()).append("\n\n");
    for (String s : c.settings()) {
      md.append("- ").append(s).append('\n');
    }
    md.append(
        String.format(
            Locale.ROOT,
            "- %d evaluations (%d merged and scored), %.1f evaluations/min%n%n",
            c.history().size(),
            c.history().stream().filter(e -> !e.cached()).count(),
            c.evaluationsPerMinute()));
    md.append("## Dev fitness (the search objective)\n\n");
    List<String> families = new ArrayList<>(c.layerwise().score().perFamily().keySet());
    md.append("| merge | fitness |");
    families.forEach(f -> md.append(' ').append(f).append(" |"));
    md.append("\n|---|---|");
    families.forEach(f -> md.append("---|"));
    md.append('\n');
    devRow(md, "start (uniform 1/N, density 1)", c.start(), families);
    if (c.bestUniform() != null) {
      devRow(md, "best uniform (grid)", c.bestUniform(), families);
    }
    devRow(md, "layer-wise (evaluation " + c.layerwise().index() + ")", c.layerwise(), families);
    md.append('\n');
    if (c.searched() != null) {
      testTable(md, c);
      additive(md, c);
    }
    md.append("## Found values\n\n");
    md.append("| gene | value |\n|---|---|\n");
    double[] g = c.layerwise().genome();
    for (int i = 0; i < g.length; i++) {
      md.append("| ")
          .append(c.space().geneName(i))
          .append(" | ")
          .append(num(g[i], 4))
          .append(" |\n");
    }
    md.append("\n![fitness](fitness.png)\n\n![weights](weights.png)\n");
    if (c.space().parameters().stream().anyMatch(p -> p.name().equals("density"))) {
      md.append("\n![density](density.png)\n");
    }
    return md.toString();
  }

  private static void devRow(StringBuilder md, String label, Evaluation e, List<String> families) {
    md.append("| ").append(label).append(" | ").append(num(e.fitness(), 4)).append(" |");
    for (String f : families) {
      md.append(' ').append(num(e.score().perFamily().get(f), 4)).append(" |");
    }
    md.append('\n');
  }

  private static List<TestScores> rows(Contents c) {
    List<TestScores> rows = new ArrayList<>();
    if (c.base() != null) {
      rows.add(c.base());
    }
    rows.addAll(c.experts());
    if (c.uniform() != null) {
      rows.add(c.uniform());
    }
    rows.add(c.searched());
    return rows;
  }

  private static void testTable(StringBuilder md, Contents c) {
    md.append("## Test split\n\n");
    md.append(
        "Exact-match accuracy with 95% Wilson interval; below it the mean log-likelihood per"
            + " response token ± 95% interval.\n\n");
    List<String> families = new ArrayList<>(c.searched().perFamily().keySet());
    md.append("| model |");
    families.forEach(f -> md.append(' ').append(f).append(" |"));
    md.append("\n|---|");
    families.forEach(f -> md.append("---|"));
    md.append('\n');
    for (TestScores row : rows(c)) {
      md.append("| ").append(row.label()).append(" |");
      for (String f : families) {
        TestScores.FamilyScore s = row.perFamily().get(f);
        md.append(
            String.format(
                Locale.ROOT,
                " %.1f%% [%.1f, %.1f]<br>%.3f ± %.3f |",
                100 * s.accuracy().rate(),
                100 * s.accuracy().low(),
                100 * s.accuracy().high(),
                s.logLik(),
                s.logLikHalfWidth()));
      }
      md.append('\n');
    }
    md.append('\n');
  }

  private static void additive(StringBuilder md, Contents c) {
    if (c.base() == null || c.experts().isEmpty()) {
      return;
    }
    md.append("## Additive comparison (test)\n\n");
    md.append(
        "Gain over the base: the merge's against the sum of the experts' gains (accuracy in"
            + " points; log-likelihood per token).\n\n");
    md.append("| family | sum of experts' gains | layer-wise gain | uniform gain |\n");
    md.append("|---|---|---|---|\n");
    for (Map.Entry<String, TestScores.FamilyScore> e : c.base().perFamily().entrySet()) {
      String f = e.getKey();
      TestScores.FamilyScore base = e.getValue();
      double accSum = 0;
      double llSum = 0;
      for (TestScores expert : c.experts()) {
        accSum += expert.perFamily().get(f).accuracy().rate() - base.accuracy().rate();
        llSum += expert.perFamily().get(f).logLik() - base.logLik();
      }
      md.append("| ").append(f).append(" | ").append(gain(accSum, llSum)).append(" | ");
      md.append(gain(c.searched().perFamily().get(f), base)).append(" | ");
      md.append(c.uniform() == null ? "-" : gain(c.uniform().perFamily().get(f), base));
      md.append(" |\n");
    }
    md.append('\n');
  }

  private static String gain(TestScores.FamilyScore merged, TestScores.FamilyScore base) {
    return gain(merged.accuracy().rate() - base.accuracy().rate(), merged.logLik() - base.logLik());
  }

  private static String gain(double accuracy, double logLik) {
    return String.format(Locale.ROOT, "%+.1f pts, %+.3f", 100 * accuracy, logLik);
  }

  private static String num(double v, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }
}
