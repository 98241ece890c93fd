package dev.amalgam.node.exchange;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which tensors a fetch takes, from {@code --tensors}: a glob on the whole tensor name ({@code *},
 * {@code ?}, {@code [..]}, {@code {a,b}}; e.g. {@code model.layers.{0,1}.*}), or a regular
 * expression after {@code re:} that must match the whole name. Null or empty takes every tensor.
 */
public final class TensorFilter {
  private TensorFilter() {}

  /** A filter spec that takes exactly the tensors named (none when empty). */
  public static String exactly(java.util.Collection<String> names) {
    if (names.isEmpty()) {
      return "re:(?!)";
    }
    return "re:" + String.join("|", names.stream().sorted().map(Pattern::quote).toList());
  }

  public static Predicate<String> parse(String spec) {
    if (spec == null || spec.isEmpty()) {
      return name -> true;
    }
    if (spec.startsWith("re:")) {
      try {
        Pattern p = Pattern.compile(spec.substring(3));
        return name -> p.matcher(name).matches();
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(
            "--tensors '" + spec + "': bad regular expression: " + e.getDescription());
      }
    }
    try {
      PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + spec);
      return name -> !name.contains("/") && m.matches(Path.of(name));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--tensors '" + spec + "': bad glob: " + e.getMessage());
    }
  }
}
