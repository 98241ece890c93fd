package dev.amalgam.merge.fingerprint;

import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.checkpoint.HfConfig;
import dev.amalgam.merge.checkpoint.TensorInfo;
import dev.amalgam.multiformats.Cid;
import dev.amalgam.multiformats.Multihash;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The canonical architecture descriptor behind a family id: model type, dimensions, layer and head
 * counts, vocabulary size, and every tensor's name and shape (not dtypes). Two checkpoints with the
 * same family id can be merged tensor by tensor.
 */
public final class FamilyDescriptor {
  public static final String FORMAT = "amalgam-family";

  private FamilyDescriptor() {}

  public static byte[] canonicalBytes(Checkpoint checkpoint) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("format", FORMAT);
    doc.put("version", 1L);
    HfConfig config = checkpoint.config().orElse(null);
    doc.put("model_type", config == null ? "unknown" : config.modelType());
    if (config != null && config.isKnownDecoder()) {
      doc.put("hidden_size", (long) config.hiddenSize());
      doc.put("intermediate_size", (long) config.intermediateSize());
      doc.put("num_hidden_layers", (long) config.numHiddenLayers());
      doc.put("num_attention_heads", (long) config.numAttentionHeads());
      doc.put("num_key_value_heads", (long) config.numKeyValueHeads());
      doc.put("vocab_size", (long) config.vocabSize());
    }
    List<Object> tensors = new ArrayList<>();
    checkpoint.tensors().stream()
        .sorted((a, b) -> CanonicalJson.compareUtf8(a.name(), b.name()))
        .forEach(t -> tensors.add(List.of(t.name(), t.shape())));
    doc.put("tensors", tensors);
    return CanonicalJson.encode(doc);
  }

  public static Cid familyId(Checkpoint checkpoint) {
    return Cid.v1(Manifest.JSON_CODEC, Multihash.sha256(canonicalBytes(checkpoint)));
  }

  /** Tensors whose shapes differ between two checkpoints, for error messages. */
  public static List<String> shapeDifferences(Checkpoint a, Checkpoint b) {
    List<String> out = new ArrayList<>();
    for (TensorInfo t : a.tensors()) {
      b.tensor(t.name())
          .filter(u -> !u.sameShape(t))
          .ifPresent(u -> out.add(t.name() + " " + t.shapeText() + " vs " + u.shapeText()));
    }
    return out;
  }
}
