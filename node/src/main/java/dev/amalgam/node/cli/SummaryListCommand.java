package dev.amalgam.node.cli;

import dev.amalgam.node.api.ApiClient;
import dev.amalgam.node.api.SummaryView;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = "List the summaries this node serves.")
final class SummaryListCommand implements Callable<Integer> {
  @Option(names = "--json", description = "Print as JSON.")
  boolean json;

  @Mixin HomeOption home;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    List<SummaryView> hosted =
        LocalNode.either(
            home.resolve(),
            ApiClient::hostedSummaries,
            node -> {
              String self = node.home.peerId().toString();
              return node.summaries().list().stream().map(h -> SummaryView.of(h, self)).toList();
            });
    if (json) {
      JsonOutput.print(spec.commandLine().getOut(), hosted);
    } else {
      print(hosted, spec.commandLine().getOut(), true);
    }
    return Amalgam.EXIT_OK;
  }

  static void print(List<SummaryView> summaries, PrintWriter out, boolean hosted) {
    TextTable t =
        new TextTable(
            "ID", "NAME", "DATASET", "MODEL", "TOP-K", "TOKENS", "SIZE", hosted ? "PATH" : "PEER");
    for (SummaryView s : summaries) {
      t.row(
          s.id(),
          s.name(),
          ExpertListCommand.shortId(s.dataset()),
          ExpertListCommand.shortId(s.sourceModel()),
          Integer.toString(s.topK()),
          Long.toString(s.responseTokens()),
          Bytes.human(s.sizeBytes()),
          hosted ? s.path() : ExpertListCommand.shortId(s.peer()));
    }
    t.print(out);
  }
}
