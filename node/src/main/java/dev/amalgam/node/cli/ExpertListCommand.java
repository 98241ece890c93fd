package dev.amalgam.node.cli;

import dev.amalgam.node.api.ApiClient;
import dev.amalgam.node.api.HostedView;
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
    description = "List the experts this node hosts.")
final class ExpertListCommand implements Callable<Integer> {
  @Option(names = "--json", description = "Print as JSON.")
  boolean json;

  @Mixin HomeOption home;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    List<HostedView> hosted =
        LocalNode.either(
            home.resolve(),
            ApiClient::hosted,
            node -> node.registry().list().stream().map(HostedView::of).toList());
    if (json) {
      JsonOutput.print(spec.commandLine().getOut(), hosted);
      return Amalgam.EXIT_OK;
    }
    print(hosted, spec.commandLine().getOut(), true);
    return Amalgam.EXIT_OK;
  }

  static void print(List<HostedView> hosted, java.io.PrintWriter out, boolean withPath) {
    TextTable t =
        withPath
            ? new TextTable("ID", "NAME", "FAMILY", "SIZE", "TAGS", "PATH")
            : new TextTable("ID", "NAME", "FAMILY", "SIZE", "TAGS");
    for (HostedView h : hosted) {
      String tags = h.tags().isEmpty() ? "-" : String.join(",", h.tags());
      if (withPath) {
        t.row(h.id(), h.name(), shortId(h.family()), Bytes.human(h.sizeBytes()), tags, h.path());
      } else {
        t.row(h.id(), h.name(), shortId(h.family()), Bytes.human(h.sizeBytes()), tags);
      }
    }
    t.print(out);
  }

  static String shortId(String id) {
    return id == null || id.length() <= 16 ? id : "…" + id.substring(id.length() - 12);
  }
}
