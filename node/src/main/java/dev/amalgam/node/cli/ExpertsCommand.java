package dev.amalgam.node.cli;

import dev.amalgam.bootstrap.card.CardException;
import dev.amalgam.bootstrap.card.ExpertCard;
import dev.amalgam.node.api.ExpertView;
import dev.amalgam.node.home.NodeStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "experts",
    mixinStandardHelpOptions = true,
    description = {
      "List the experts the federation offers: this node's own and every card it accepted.",
      "Without a running daemon, shows the cards remembered in the node database."
    })
final class ExpertsCommand implements Callable<Integer> {
  @Option(
      names = "--family",
      paramLabel = "F",
      description = "Only experts of this family (its id, or any part of it).")
  String family;

  @Option(names = "--json", description = "Print as JSON.")
  boolean json;

  @Mixin HomeOption home;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    List<ExpertView> experts =
        LocalNode.either(home.resolve(), daemon -> daemon.experts(family), this::fromDatabase);
    if (json) {
      JsonOutput.print(spec.commandLine().getOut(), experts);
      return Amalgam.EXIT_OK;
    }
    TextTable t = new TextTable("ID", "NAME", "FAMILY", "PEER", "TAGS", "SCORES");
    for (ExpertView e : experts) {
      t.row(
          e.id(),
          e.name(),
          ExpertListCommand.shortId(e.family()),
          ExpertListCommand.shortId(e.peer()),
          e.tags().isEmpty() ? "-" : String.join(",", e.tags()),
          e.scores().isEmpty()
              ? "-"
              : e.scores().entrySet().stream()
                  .sorted(java.util.Map.Entry.comparingByKey())
                  .map(s -> s.getKey() + "=" + String.format(Locale.ROOT, "%.3f", s.getValue()))
                  .collect(Collectors.joining(",")));
    }
    t.print(spec.commandLine().getOut());
    return Amalgam.EXIT_OK;
  }

  private List<ExpertView> fromDatabase(LocalNode node) throws Exception {
    List<ExpertView> out = new ArrayList<>();
    long now = System.currentTimeMillis();
    String self = node.home.peerId().toString();
    for (NodeStore.HostedExpert e : node.store.hostedExperts()) {
      if (family == null || e.familyId().contains(family)) {
        out.add(ExpertView.of(e, self));
      }
    }
    for (NodeStore.KnownCard k : node.store.knownCards()) {
      try {
        ExpertCard c = ExpertCard.open(k.card()).card();
        if (!c.expired(now) && (family == null || c.familyId().toString().contains(family))) {
          out.add(ExpertView.of(c));
        }
      } catch (CardException e) {
        // a stored card that no longer verifies is not shown
      }
    }
    return out;
  }
}
