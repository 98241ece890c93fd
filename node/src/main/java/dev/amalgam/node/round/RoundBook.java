package dev.amalgam.node.round;

import dev.amalgam.bootstrap.round.RoundException;
import dev.amalgam.bootstrap.round.RoundMessages;
import dev.amalgam.bootstrap.round.RoundProposal;
import dev.amalgam.bootstrap.round.RoundResult;
import dev.amalgam.node.api.RoundView;
import dev.amalgam.node.home.HomeException;
import dev.amalgam.node.home.NodeStore;
import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rounds a node knows, kept in its database: every proposal and every peer's result as the
 * signed bytes they came in (so they are verified again when read), and this node's own part in
 * each. What the results prove is worked out on reading ({@link RoundVerdicts}), so it is the same
 * after a restart.
 */
public final class RoundBook {
  private final NodeStore store;

  public RoundBook(NodeStore store) {
    this.store = store;
  }

  /**
   * Stores a proposal or a result; says whether it was new, known, or a peer contradicting itself.
   */
  public NodeStore.ResultOutcome offer(RoundMessages.Opened o, long now) throws IOException {
    try {
      return switch (o) {
        case RoundMessages.Proposal p ->
            store.putRoundProposal(
                    new NodeStore.StoredProposal(
                        p.signed().id().toString(),
                        p.signer().toString(),
                        p.signed().envelope(),
                        now))
                ? NodeStore.ResultOutcome.NEW
                : NodeStore.ResultOutcome.ALREADY_KNOWN;
        case RoundMessages.Result r ->
            store.putRoundResult(
                new NodeStore.StoredResult(
                    r.signed().result().proposalId().toString(),
                    r.signer().toString(),
                    r.signed().result().outputId().toString(),
                    r.signed().envelope(),
                    now,
                    null));
      };
    } catch (SQLException e) {
      throw new HomeException("cannot record a round message: " + e.getMessage(), e);
    }
  }

  public Optional<RoundProposal.Signed> proposal(String id) throws IOException {
    for (RoundProposal.Signed p : proposals()) {
      if (p.id().toString().equals(id)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  private List<RoundProposal.Signed> proposals() throws IOException {
    List<RoundProposal.Signed> out = new ArrayList<>();
    try {
      for (NodeStore.StoredProposal sp : store.roundProposals()) {
        if (RoundMessages.open(sp.envelope()) instanceof RoundMessages.Proposal p) {
          out.add(p.signed());
        }
      }
    } catch (SQLException e) {
      throw new HomeException("cannot read round proposals: " + e.getMessage(), e);
    } catch (RoundException e) {
      throw new HomeException("a stored round proposal no longer verifies: " + e.getMessage(), e);
    }
    return out;
  }

  /** The signed proposals and results this peer made itself, to publish again to new peers. */
  public List<byte[]> own(String self) throws IOException {
    List<byte[]> out = new ArrayList<>();
    try {
      for (NodeStore.StoredProposal p : store.roundProposals()) {
        if (p.proposer().equals(self)) {
          out.add(p.envelope());
        }
      }
      for (NodeStore.StoredResult r : store.roundResults()) {
        if (r.peerId().equals(self)) {
          out.add(r.envelope());
        }
      }
    } catch (SQLException e) {
      throw new HomeException("cannot read rounds: " + e.getMessage(), e);
    }
    return out;
  }

  public Optional<NodeStore.RoundRun> run(String proposalId) throws IOException {
    try {
      return store.roundRuns().stream().filter(r -> r.proposalId().equals(proposalId)).findFirst();
    } catch (SQLException e) {
      throw new HomeException("cannot read round runs: " + e.getMessage(), e);
    }
  }

  public void setRun(String proposalId, String state, String detail) throws IOException {
    try {
      store.putRoundRun(
          new NodeStore.RoundRun(proposalId, state, detail, System.currentTimeMillis()));
    } catch (SQLException e) {
      throw new HomeException("cannot record a round run: " + e.getMessage(), e);
    }
  }

  /**
   * Marks the runs a stopped node left queued or running as failed (a restarted node does not pick
   * them up again); returns how many.
   */
  public int abandonUnfinished() throws IOException {
    int n = 0;
    try {
      for (NodeStore.RoundRun r : store.roundRuns()) {
        if (r.state().equals("queued") || r.state().equals("running")) {
          setRun(r.proposalId(), "failed", "interrupted: the node stopped during the round");
          n++;
        }
      }
    } catch (SQLException e) {
      throw new HomeException("cannot read round runs: " + e.getMessage(), e);
    }
    return n;
  }

  /** Every known round, oldest first, with its results judged. */
  public List<RoundView> views() throws IOException {
    Map<String, List<NodeStore.StoredResult>> results = new HashMap<>();
    Map<String, NodeStore.RoundRun> runs = new HashMap<>();
    try {
      for (NodeStore.StoredResult r : store.roundResults()) {
        results.computeIfAbsent(r.proposalId(), k -> new ArrayList<>()).add(r);
      }
      for (NodeStore.RoundRun r : store.roundRuns()) {
        runs.put(r.proposalId(), r);
      }
    } catch (SQLException e) {
      throw new HomeException("cannot read rounds: " + e.getMessage(), e);
    }
    List<RoundView> out = new ArrayList<>();
    for (RoundProposal.Signed s : proposals()) {
      String id = s.id().toString();
      RoundProposal p = s.proposal();
      List<RoundVerdicts.Claim> claims = new ArrayList<>();
      for (NodeStore.StoredResult r : results.getOrDefault(id, List.of())) {
        claims.add(claimOf(r, p));
      }
      RoundVerdicts.Verdict v = RoundVerdicts.judge(claims);
      NodeStore.RoundRun run = runs.get(id);
      out.add(
          new RoundView(
              id,
              p.proposer().toString(),
              p.federation(),
              p.recipeSha256(),
              p.inputs().stream().map(Object::toString).toList(),
              p.devSet().id().toString(),
              p.devSet().canonicalJson(),
              p.issuedAtMillis(),
              v.status(),
              v.verifiedOutput(),
              v.results(),
              run == null ? null : new RoundView.Participation(run.state(), run.detail())));
    }
    return out;
  }

  private static RoundVerdicts.Claim claimOf(NodeStore.StoredResult r, RoundProposal p)
      throws HomeException {
    RoundResult result;
    try {
      if (!(RoundMessages.open(r.envelope()) instanceof RoundMessages.Result opened)) {
        throw new HomeException("a stored round result is not a result");
      }
      result = opened.signed().result();
    } catch (RoundException e) {
      throw new HomeException("a stored round result no longer verifies: " + e.getMessage(), e);
    }
    return new RoundVerdicts.Claim(
        r.peerId(),
        r.outputId(),
        result.scores(),
        r.otherOutputId(),
        result.devSetId().equals(p.devSet().id()));
  }
}
