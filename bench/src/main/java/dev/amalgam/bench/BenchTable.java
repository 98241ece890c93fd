package dev.amalgam.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A comparison table: each row a method, its time, its throughput and its ratio to a reference. */
final class BenchTable {
  private record Row(String name, double seconds, long bytes) {}

  private final String title;
  private final List<Row> rows = new ArrayList<>();

  BenchTable(String title) {
    this.title = title;
  }

  void add(String name, double seconds, long bytes) {
    rows.add(new Row(name, seconds, bytes));
  }

  /** Prints the table; the ratio column is relative to the row named {@code reference}. */
  void print(String reference) {
    Row ref =
        rows.stream().filter(r -> r.name.equals(reference)).findFirst().orElse(rows.getFirst());
    System.out.println();
    System.out.println(title);
    System.out.printf(
        Locale.ROOT, "%-44s %10s %10s %12s%n", "method", "seconds", "GB/s", "vs " + ref.name);
    for (Row r : rows) {
      System.out.printf(
          Locale.ROOT,
          "%-44s %10.3f %10.2f %11.2fx%n",
          r.name,
          r.seconds,
          r.bytes / r.seconds / 1e9,
          ref.seconds / r.seconds);
    }
  }
}
