package dev.amalgam.merge.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Short, distinct given names for relational problems. */
final class Names {

  private static final List<String> ALL =
      List.of(
          "Ann", "Bob", "Cal", "Dee", "Eve", "Fay", "Gus", "Hal", "Ivy", "Jon", "Kim", "Lea", "Max",
          "Ned", "Oda", "Pam", "Quin", "Ray", "Sam", "Tia", "Uma", "Vic", "Wes", "Zoe");

  private Names() {}

  /** count distinct names in random order. */
  static List<String> pick(SplittableRandom random, int count) {
    List<String> pool = new ArrayList<>(ALL);
    List<String> picked = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      picked.add(pool.remove(random.nextInt(pool.size())));
    }
    return picked;
  }

  static <T> void shuffle(List<T> list, SplittableRandom random) {
    for (int i = list.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      T swap = list.get(i);
      list.set(i, list.get(j));
      list.set(j, swap);
    }
  }
}
