package dev.amalgam.node.cli;

import dev.amalgam.node.api.RoundView;
import dev.amalgam.node.round.RoundBook;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "rounds",
    mixinStandardHelpOptions = true,
    description = {
      "List the merge rounds this node knows: each proposal, every peer's result and its",
      "verification status. An output id two independent peers reproduced is verified; results",
      "that disagree with it (or with each other) are flagged. Without a running daemon, shows",
      "what the node database remembers."
    })
final class RoundsCommand implements Callable<Integer> {
  @Option(names = "--json", description = "Print as JSON.")
  boolean json;

  @Mixin HomeOption home;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    List<RoundView> rounds =
        LocalNode.either(
            home.resolve(), daemon -> daemon.rounds(), node -> new RoundBook(node.store).views());
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      JsonOutput.print(out, rounds);
      return Amalgam.EXIT_OK;
    }
    if (rounds.isEmpty()) {
      out.println("no rounds known");
      return Amalgam.EXIT_OK;
    }
    for (RoundView r : rounds) {
      out.println(
          "round "
              + r.id()
              + "  "
              + r.status()
              + (r.verifiedOutput() == null ? "" : "  output " + r.verifiedOutput()));
      out.println(
          "  proposer "
              + r.proposer()
              + ", "
              + r.inputs().size()
              + " inputs, dev set "
              + r.devSetId()
              + (r.participation() == null
                  ? ""
                  : ", this node: "
                      + r.participation().state()
                      + " ("
                      + r.participation().detail()
                      + ")"));
      TextTable t = new TextTable("  PEER", "OUTPUT", "STATUS", "SCORES", "REASON");
      for (RoundView.Result res : r.results()) {
        t.row("  " + res.peer(), res.outputId(), res.status(), scores(res.scores()), res.reason());
      }
      t.print(out);
    }
    return Amalgam.EXIT_OK;
  }

  private static String scores(Map<String, Double> scores) {
    return scores.isEmpty()
        ? "-"
        : scores.entrySet().stream()
            .sorted(Map.Entry.comparingByKey())
            .map(s -> s.getKey() + "=" + String.format(Locale.ROOT, "%.3f", s.getValue()))
            .collect(Collectors.joining(","));
  }
}
