package dev.amalgam.node.demo;

import dev.amalgam.merge.search.TestScores;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/**
 * {@code report.html}: one self-contained page (charts embedded as base64 PNG) with the steps and
 * their times, the results table, the accuracy chart, the search's charts and the ids that let
 * anyone check the results.
 */
public final class HtmlReport {
  public static final String FILE = "report.html";

  /** What the page shows. */
  public record Contents(
      String settings,
      String machine,
      List<Narrator.Step> steps,
      ResultsTable results,
      Map<String, String> ids,
      String confirmation,
      String recipe,
      String fuseProvenance,
      Path searchCharts) {}

  private HtmlReport() {}

  public static Path write(Path dir, Contents c) throws IOException {
    System.setProperty("java.awt.headless", "true");
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<title>amalgam demo</title><style>")
        .append("body{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em}")
        .append("table{border-collapse:collapse;margin:1em 0}")
        .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}")
        .append("td.num{text-align:right}code,pre{font-size:90%}")
        .append("pre{background:#f6f6f6;padding:1em;overflow-x:auto}img{max-width:100%}")
        .append("</style></head><body>\n");
    h.append("<h1>amalgam demo</h1>\n");
    h.append("<p>").append(esc(c.settings())).append("</p>\n");
    h.append("<p>").append(esc(c.machine())).append("</p>\n");
    h.append("<p><strong>").append(esc(c.confirmation())).append("</strong></p>\n");

    h.append("<h2>Results (test split)</h2>\n");
    h.append("<p>Exact-match accuracy with 95% Wilson interval, n = ")
        .append(c.results().n())
        .append(" per family; below it the mean log-likelihood per response token ± 95%")
        .append(" interval.</p>\n");
    h.append("<table><tr><th>model</th>");
    Evaluations.FAMILIES.forEach(f -> h.append("<th>").append(esc(f)).append("</th>"));
    h.append("</tr>\n");
    for (TestScores row : c.results().rows()) {
      h.append("<tr><td>").append(esc(row.label())).append("</td>");
      for (String f : Evaluations.FAMILIES) {
        TestScores.FamilyScore s = row.perFamily().get(f);
        h.append("<td class=\"num\">")
            .append(esc(ResultsTable.accuracy(s)))
            .append("<br><small>")
            .append(String.format(Locale.ROOT, "%.3f ± %.3f", s.logLik(), s.logLikHalfWidth()))
            .append("</small></td>");
      }
      h.append("</tr>\n");
    }
    h.append("</table>\n");
    h.append(image("test accuracy", accuracyChart(c.results())));

    h.append("<h2>Layer-wise search</h2>\n");
    for (String chart : List.of("fitness.png", "weights.png")) {
      Path file = c.searchCharts().resolve(chart);
      if (Files.isRegularFile(file)) {
        h.append(image(chart, Files.readAllBytes(file)));
      }
    }
    h.append("<p>The best recipe, by expert ids (any node re-derives it with <code>amalgam merge")
        .append("</code>):</p>\n<pre>")
        .append(esc(c.recipe()))
        .append("</pre>\n");

    h.append("<h2>Ids</h2>\n<table>");
    c.ids().forEach((k, v) -> h.append(row(k, v)));
    h.append("</table>\n");
    h.append("<h2>Fusion provenance (amalgam-fuse.json)</h2>\n<pre>")
        .append(esc(c.fuseProvenance()))
        .append("</pre>\n");

    h.append("<h2>Steps</h2>\n<table><tr><th>#</th><th>at</th><th>took</th><th>what</th></tr>\n");
    for (Narrator.Step s : c.steps()) {
      h.append(
          String.format(
              Locale.ROOT,
              "<tr><td class=\"num\">%d</td><td class=\"num\">%.1f s</td>"
                  + "<td class=\"num\">%.1f s</td><td>%s</td></tr>%n",
              s.number(),
              s.elapsedSeconds(),
              s.seconds(),
              esc(s.text())));
    }
    h.append("</table>\n</body></html>\n");
    Path file = dir.resolve(FILE);
    Files.writeString(file, h.toString(), StandardCharsets.UTF_8);
    return file;
  }

  private static byte[] accuracyChart(ResultsTable results) throws IOException {
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(900)
            .height(450)
            .title("Test accuracy by task family")
            .xAxisTitle("task family")
            .yAxisTitle("exact match (%)")
            .build();
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setYAxisMax(100.0);
    for (TestScores row : results.rows()) {
      List<Double> values = new ArrayList<>();
      for (String f : Evaluations.FAMILIES) {
        values.add(100 * row.perFamily().get(f).accuracy().rate());
      }
      chart.addSeries(row.label(), Evaluations.FAMILIES, values);
    }
    return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
  }

  private static String image(String alt, byte[] png) {
    return "<p><img alt=\""
        + esc(alt)
        + "\" src=\"data:image/png;base64,"
        + Base64.getEncoder().encodeToString(png)
        + "\"></p>\n";
  }

  private static String row(String key, String value) {
    return "<tr><th>" + esc(key) + "</th><td><code>" + esc(value) + "</code></td></tr>\n";
  }

  static String esc(String s) {
    return s == null
        ? ""
        : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
