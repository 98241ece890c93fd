package dev.amalgam.node.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** A plain left-aligned text table with a header row. */
public final class TextTable {
  private final List<String[]> rows = new ArrayList<>();

  public TextTable(String... header) {
    rows.add(header);
  }

  public TextTable row(Object... cells) {
    String[] r = new String[cells.length];
    for (int i = 0; i < cells.length; i++) {
      r[i] = cells[i] == null ? "-" : cells[i].toString();
    }
    rows.add(r);
    return this;
  }

  public boolean isEmpty() {
    return rows.size() == 1;
  }

  public void print(PrintWriter out) {
    int cols = rows.get(0).length;
    int[] width = new int[cols];
    for (String[] r : rows) {
      for (int i = 0; i < cols; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    for (String[] r : rows) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < cols; i++) {
        b.append(i == cols - 1 ? r[i] : String.format("%-" + width[i] + "s  ", r[i]));
      }
      out.println(b.toString().stripTrailing());
    }
    out.flush();
  }
}
