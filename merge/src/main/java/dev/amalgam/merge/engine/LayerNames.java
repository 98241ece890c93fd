package dev.amalgam.merge.engine;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Finds and rewrites the layer number in Hugging Face tensor names ({@code model.layers.7.…}). */
final class LayerNames {
  private static final Pattern LAYER = Pattern.compile("(^|\\.)layers\\.(\\d+)\\.");

  private LayerNames() {}

  /** The layer index in the name, or null for tensors outside the layers. */
  static Integer layerOf(String name) {
    Matcher m = LAYER.matcher(name);
    return m.find() ? Integer.valueOf(m.group(2)) : null;
  }

  /** The name with its layer number replaced. */
  static String withLayer(String name, int layer) {
    Matcher m = LAYER.matcher(name);
    if (!m.find()) {
      throw new IllegalArgumentException(name + " is not a layer tensor");
    }
    return name.substring(0, m.start(2)) + layer + name.substring(m.end(2));
  }

  /** Tensors before the layers (embeddings) come from the first slice; the rest from the last. */
  static boolean beforeLayers(String name) {
    return name.contains("embed");
  }
}
