package dev.amalgam.node.cli;

import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.fingerprint.Fingerprinter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "fingerprint",
    mixinStandardHelpOptions = true,
    description = "Print only the expert id (the CID of the checkpoint's manifest).")
final class FingerprintCommand implements Callable<Integer> {
  @Parameters(paramLabel = "PATH", description = "Checkpoint directory or .safetensors file.")
  Path path;

  @Option(names = "--threads", description = "Hashing threads (default: all cores).")
  Integer threads;

  @Option(names = "--json", description = "Print {\"expert_id\": ...} as JSON.")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Fingerprinter fp =
        threads == null ? Fingerprinter.withAvailableCores() : new Fingerprinter(threads);
    try (Checkpoint ckpt = Checkpoint.open(path)) {
      String id = fp.manifest(ckpt).id().toString();
      if (json) {
        JsonOutput.print(spec.commandLine().getOut(), Map.of("expert_id", id));
      } else {
        spec.commandLine().getOut().println(id);
      }
    }
    return Amalgam.EXIT_OK;
  }
}
