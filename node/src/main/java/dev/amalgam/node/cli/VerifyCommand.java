package dev.amalgam.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.engine.MergeVerifier;
import dev.amalgam.merge.fingerprint.Fingerprinter;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Re-run the merge recorded in DIR/amalgam-merge.json and compare output ids.",
      "Exit 0 when the directory, the recorded id and the recomputation agree; 1 otherwise."
    })
final class VerifyCommand implements Callable<Integer> {
  @Parameters(paramLabel = "DIR", description = "A merge output directory.")
  Path dir;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "Worker threads (default: all cores).")
  Integer threads;

  @Option(names = "--json", description = "Print the verdict as JSON.")
  boolean json;

  @Mixin HomeOption home;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
    Path provenance = dir.resolve("amalgam-merge.json");
    if (!Files.isRegularFile(provenance)) {
      throw new UserError(
          dir + ": has no amalgam-merge.json; only merges made by amalgam can be verified");
    }
    JsonNode recorded = JsonMapper.builder().build().readTree(provenance.toFile());
    List<String> refs = MergeVerifier.recordedInputs(dir);
    Map<String, Checkpoint> inputs =
        new ModelResolver(dir.toAbsolutePath().getParent(), home.resolve()).openAll(refs);
    try {
      List<String> changedInputs = changedInputs(recorded, inputs, n);
      MergeVerifier.Verification v = MergeVerifier.verify(dir, inputs, n);
      report(v, changedInputs);
      return v.matches() ? Amalgam.EXIT_OK : Amalgam.EXIT_FAILURE;
    } finally {
      inputs.values().forEach(Checkpoint::close);
    }
  }

  /** Inputs whose current id differs from the id recorded at merge time. */
  private static List<String> changedInputs(
      JsonNode recorded, Map<String, Checkpoint> inputs, int threads) throws Exception {
    List<String> changed = new ArrayList<>();
    Fingerprinter fp = new Fingerprinter(threads);
    for (JsonNode in : recorded.path("inputs")) {
      String ref = in.path("model").asText();
      String id = in.path("id").asText(null);
      if (id != null && inputs.containsKey(ref)) {
        String now = fp.manifest(inputs.get(ref)).id().toString();
        if (!now.equals(id)) {
          changed.add(ref + " (recorded " + id + ", now " + now + ")");
        }
      }
    }
    return changed;
  }

  private void report(MergeVerifier.Verification v, List<String> changedInputs) {
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("matches", v.matches());
      r.put("recorded_id", v.recordedId());
      r.put("actual_id", v.actualId());
      r.put("recomputed_id", v.recomputedId());
      r.put("differing_tensors", v.differingTensors());
      r.put("changed_inputs", changedInputs);
      JsonOutput.print(out, r);
      return;
    }
    out.println((v.matches() ? "match     " : "MISMATCH  ") + dir);
    out.println("recorded   " + v.recordedId());
    out.println("directory  " + v.actualId());
    out.println("recomputed " + v.recomputedId());
    changedInputs.forEach(c -> out.println("input changed since the merge: " + c));
    if (!v.differingTensors().isEmpty()) {
      out.println("tensors that differ: " + String.join(", ", v.differingTensors()));
    }
  }
}
