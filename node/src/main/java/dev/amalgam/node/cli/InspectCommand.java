package dev.amalgam.node.cli;

import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.checkpoint.DType;
import dev.amalgam.merge.checkpoint.HfConfig;
import dev.amalgam.merge.checkpoint.TensorInfo;
import dev.amalgam.merge.fingerprint.Fingerprint;
import dev.amalgam.merge.fingerprint.Fingerprinter;
import dev.amalgam.merge.fusion.SummaryBlocks;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = {
      "Describe a checkpoint (architecture, ids, parameters, dtypes, tensors) or a summary.",
      "Prints the expert id, family id and tokenizer id, the parameter count, the dtype",
      "breakdown and the tensor table.",
      "PATH is a Hugging Face checkpoint directory, a single .safetensors file, or a",
      "distribution summary directory (from 'amalgam summarize'; every block is verified)."
    })
final class InspectCommand implements Callable<Integer> {
  @Parameters(paramLabel = "PATH", description = "Checkpoint directory or .safetensors file.")
  Path path;

  @Option(names = "--json", description = "Print the description as JSON.")
  boolean json;

  @Option(names = "--no-tensors", description = "Leave out the tensor table.")
  boolean noTensors;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (java.nio.file.Files.isDirectory(path) && SummaryBlocks.isSummary(path)) {
      SummaryDescription.print(path, json, spec.commandLine().getOut());
      return Amalgam.EXIT_OK;
    }
    try (Checkpoint ckpt = Checkpoint.open(path)) {
      Fingerprint fp = Fingerprinter.withAvailableCores().fingerprint(ckpt);
      Map<String, Object> report = describe(ckpt, fp);
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        JsonOutput.print(out, report);
      } else {
        printText(out, ckpt, fp);
      }
    }
    return Amalgam.EXIT_OK;
  }

  private Map<String, Object> describe(Checkpoint ckpt, Fingerprint fp) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("path", ckpt.location().toString());
    r.put("expert_id", fp.expertId().toString());
    r.put("family_id", fp.familyId().toString());
    r.put("tokenizer_id", fp.tokenizerId().map(Object::toString).orElse(null));
    ckpt.config().ifPresent(c -> r.put("architecture", architecture(c)));
    r.put("parameters", ckpt.parameterCount());
    r.put("bytes", ckpt.totalBytes());
    r.put("files", ckpt.files().stream().map(f -> f.path().getFileName().toString()).toList());
    Map<String, Object> dtypes = new LinkedHashMap<>();
    dtypeBreakdown(ckpt)
        .forEach((k, v) -> dtypes.put(k.name(), Map.of("tensors", v[0], "parameters", v[1])));
    r.put("dtypes", dtypes);
    if (!noTensors) {
      List<Map<String, Object>> tensors = new ArrayList<>();
      for (TensorInfo t : ckpt.tensors()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", t.name());
        m.put("dtype", t.dtype().name());
        m.put("shape", t.shape());
        m.put("bytes", t.byteLength());
        tensors.add(m);
      }
      r.put("tensors", tensors);
    }
    return r;
  }

  private static Map<String, Object> architecture(HfConfig c) {
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("model_type", c.modelType());
    a.put("architecture", c.architecture());
    if (c.isKnownDecoder()) {
      a.put("num_hidden_layers", c.numHiddenLayers());
      a.put("hidden_size", c.hiddenSize());
      a.put("intermediate_size", c.intermediateSize());
      a.put("num_attention_heads", c.numAttentionHeads());
      a.put("num_key_value_heads", c.numKeyValueHeads());
      a.put("head_dim", c.headDim());
      a.put("vocab_size", c.vocabSize());
      a.put("rope_theta", c.ropeTheta());
      a.put("tie_word_embeddings", c.tieWordEmbeddings());
    }
    return a;
  }

  private static Map<DType, long[]> dtypeBreakdown(Checkpoint ckpt) {
    Map<DType, long[]> m = new EnumMap<>(DType.class);
    for (TensorInfo t : ckpt.tensors()) {
      long[] v = m.computeIfAbsent(t.dtype(), k -> new long[2]);
      v[0]++;
      v[1] += t.elementCount();
    }
    return m;
  }

  private void printText(PrintWriter out, Checkpoint ckpt, Fingerprint fp) {
    out.printf("checkpoint    %s%n", ckpt.location());
    ckpt.config()
        .ifPresentOrElse(
            c ->
                out.printf(
                    "architecture  %s%n",
                    c.isKnownDecoder()
                        ? String.format(
                            Locale.ROOT,
                            "%s (%s): %d layers, hidden %d, mlp %d, heads %d (kv %d), vocab %d%s",
                            c.architecture(),
                            c.modelType(),
                            c.numHiddenLayers(),
                            c.hiddenSize(),
                            c.intermediateSize(),
                            c.numAttentionHeads(),
                            c.numKeyValueHeads(),
                            c.vocabSize(),
                            c.tieWordEmbeddings() ? ", tied embeddings" : "")
                        : c.architecture() + " (generic: read tensor by tensor)"),
            () -> out.println("architecture  unknown (no config.json)"));
    out.printf("expert id     %s%n", fp.expertId());
    out.printf("family id     %s%n", fp.familyId());
    out.printf(
        "tokenizer id  %s%n",
        fp.tokenizerId().map(Object::toString).orElse("none (no tokenizer.json)"));
    out.printf(
        Locale.ROOT,
        "parameters    %,d in %d tensors, %s in %d file(s)%n",
        ckpt.parameterCount(),
        ckpt.tensors().size(),
        Bytes.human(ckpt.totalBytes()),
        ckpt.files().size());
    StringBuilder dt = new StringBuilder();
    dtypeBreakdown(ckpt)
        .forEach(
            (k, v) ->
                dt.append(dt.isEmpty() ? "" : ", ")
                    .append(
                        String.format(Locale.ROOT, "%s %,d params (%d tensors)", k, v[1], v[0])));
    out.printf("dtypes        %s%n", dt);
    if (noTensors) {
      return;
    }
    int width = ckpt.tensors().stream().mapToInt(t -> t.name().length()).max().orElse(4);
    out.println();
    out.printf("%-" + width + "s  %-7s  %s%n", "TENSOR", "DTYPE", "SHAPE");
    for (TensorInfo t : ckpt.tensors()) {
      out.printf("%-" + width + "s  %-7s  %s%n", t.name(), t.dtype(), t.shapeText());
    }
  }
}
