package dev.amalgam.node.cli;

import dev.amalgam.bootstrap.card.CardException;
import dev.amalgam.bootstrap.card.SummaryNote;
import dev.amalgam.node.api.SummaryView;
import dev.amalgam.node.home.NodeStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "summaries",
    mixinStandardHelpOptions = true,
    description = {
      "List the distribution summaries the federation offers: this node's own and every",
      "summary note it accepted. Without a running daemon, shows the notes remembered in the",
      "node database. Fetch one with 'amalgam summary fetch ID' or 'amalgam fuse --summary ID'."
    })
final class SummariesCommand implements Callable<Integer> {
  @Option(
      names = "--dataset",
      paramLabel = "D",
      description = "Only summaries of this dataset (its id, or any part of it).")
  String dataset;

  @Option(
      names = "--model",
      paramLabel = "M",
      description = "Only summaries of this source model (its expert id, or any part of it).")
  String model;

  @Option(names = "--json", description = "Print as JSON.")
  boolean json;

  @Mixin HomeOption home;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    List<SummaryView> found =
        LocalNode.either(
            home.resolve(), daemon -> daemon.summaries(dataset, model), this::fromDatabase);
    if (json) {
      JsonOutput.print(spec.commandLine().getOut(), found);
    } else {
      SummaryListCommand.print(found, spec.commandLine().getOut(), false);
    }
    return Amalgam.EXIT_OK;
  }

  private List<SummaryView> fromDatabase(LocalNode node) throws Exception {
    List<SummaryView> out = new ArrayList<>();
    String self = node.home.peerId().toString();
    for (NodeStore.HostedSummary h : node.store.hostedSummaries()) {
      out.add(SummaryView.of(h, self));
    }
    long now = System.currentTimeMillis();
    for (NodeStore.KnownNote k : node.store.knownNotes()) {
      try {
        SummaryNote n = SummaryNote.open(k.note()).note();
        if (!n.expired(now)) {
          out.add(SummaryView.of(n));
        }
      } catch (CardException e) {
        // a stored note that no longer verifies is not shown
      }
    }
    return out.stream().filter(v -> v.matches(dataset, model)).toList();
  }
}
