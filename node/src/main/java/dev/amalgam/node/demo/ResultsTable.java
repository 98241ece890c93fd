package dev.amalgam.node.demo;

import dev.amalgam.merge.search.TestScores;
import dev.amalgam.node.cli.TextTable;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Models by task family: exact-match accuracy on the test split with its 95% interval. */
public final class ResultsTable {
  private final List<TestScores> rows;
  private final int n;

  public ResultsTable(List<TestScores> rows, int n) {
    this.rows = List.copyOf(rows);
    this.n = n;
  }

  public List<TestScores> rows() {
    return rows;
  }

  public int n() {
    return n;
  }

  /** {@code 95.0% [76.4, 99.1]}. */
  public static String accuracy(TestScores.FamilyScore s) {
    return String.format(
        Locale.ROOT,
        "%.1f%% [%.1f, %.1f]",
        100 * s.accuracy().rate(),
        100 * s.accuracy().low(),
        100 * s.accuracy().high());
  }

  public void print(PrintWriter out) {
    List<String> header = new ArrayList<>();
    header.add("model");
    Evaluations.FAMILIES.forEach(header::add);
    TextTable table = new TextTable(header.toArray(String[]::new));
    for (TestScores row : rows) {
      List<Object> cells = new ArrayList<>();
      cells.add(row.label());
      for (String f : Evaluations.FAMILIES) {
        cells.add(accuracy(row.perFamily().get(f)));
      }
      table.row(cells.toArray());
    }
    out.printf(
        Locale.ROOT,
        "exact-match accuracy on the test split, n = %d per family, [95%% Wilson interval]%n",
        n);
    table.print(out);
  }
}
