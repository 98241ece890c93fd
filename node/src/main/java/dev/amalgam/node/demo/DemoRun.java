package dev.amalgam.node.demo;

import dev.amalgam.bootstrap.card.ExpertCard;
import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.eval.Split;
import dev.amalgam.merge.eval.TaskFamilies;
import dev.amalgam.merge.eval.TaskJsonl;
import dev.amalgam.merge.fingerprint.Fingerprinter;
import dev.amalgam.merge.fusion.FuseOptions;
import dev.amalgam.merge.fusion.FuseRun;
import dev.amalgam.merge.fusion.FusionRule;
import dev.amalgam.merge.runtime.StepResult;
import dev.amalgam.merge.search.TestScores;
import dev.amalgam.node.api.ExpertView;
import dev.amalgam.node.home.NodeHome;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;

/**
 * {@code amalgam demo}: the whole idea on one machine. A bootstrap peer and three nodes run as
 * separate processes on loopback; node 1 finds the others' experts through the DHT and gossip,
 * fetches one, searches a layer-wise merge, merges it by expert ids, fuses in node 3's distribution
 * summary, evaluates every model and publishes the merge; node 2 re-derives it from the recipe and
 * gets the same expert id. Pure computation (search, evaluation, fusion) runs in this JVM; every
 * network step goes through the real daemons.
 */
public final class DemoRun {
  static final int STEPS = 15;
  private static final Duration CONVERGE = Duration.ofSeconds(60);
  private static final Duration VERB = Duration.ofSeconds(180);
  private static final int FUSE_BATCH = 16;

  private final DemoOptions options;
  private final PrintWriter out;

  public DemoRun(DemoOptions options, PrintWriter out) {
    this.options = options;
    this.out = out;
  }

  /** Runs the demo; returns the report file. Nothing it started runs after it returns. */
  public Path run() throws IOException, InterruptedException {
    Zoo zoo = Zoo.locate(options.zoo());
    Path work = Files.createTempDirectory("amalgam-demo-");
    Path report =
        options.out() != null
            ? Files.createDirectories(options.out().toAbsolutePath())
            : Files.createTempDirectory("amalgam-demo-report-");
    String loadBefore = loadAverage();
    out.println(
        "amalgam demo: a bootstrap peer and 3 nodes on 127.0.0.1, each its own process; work in "
            + work
            + (options.keep() ? " (kept)" : " (removed at the end; --keep keeps it)")
            + ", report in "
            + report);
    out.flush();
    Children children = new Children(work.resolve("logs"));
    Thread onInterrupt =
        new Thread(
            () -> {
              try {
                children.stopAll();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              if (!options.keep()) {
                TempDirs.delete(work);
              }
              System.err.println(
                  "amalgam demo: interrupted; stopped every process it started"
                      + (options.keep() ? " (kept " + work + ")" : " and removed " + work));
            },
            "amalgam-demo-stop");
    Runtime.getRuntime().addShutdownHook(onInterrupt);
    ExecutorService compute =
        Executors.newFixedThreadPool(
            2, Thread.ofPlatform().daemon().name("demo-compute-", 1).factory());
    Narrator narrator = new Narrator(out, STEPS);
    try {
      Run r = new Run(zoo, work, report, children, compute, narrator, loadBefore);
      Path file = r.all();
      return file;
    } finally {
      compute.shutdownNow();
      children.close();
      if (!options.keep()) {
        TempDirs.delete(work);
      }
      try {
        Runtime.getRuntime().removeShutdownHook(onInterrupt);
      } catch (IllegalStateException e) {
        // the JVM is shutting down (Ctrl-C): the hook does the same
      }
    }
  }

  /** One run's state, step by step. */
  private final class Run {
    private final Zoo zoo;
    private final Path work;
    private final Path report;
    private final Children children;
    private final ExecutorService compute;
    private final Narrator narrator;
    private final String loadBefore;
    private final Map<String, String> ids = new LinkedHashMap<>();

    Run(
        Zoo zoo,
        Path work,
        Path report,
        Children children,
        ExecutorService compute,
        Narrator narrator,
        String loadBefore) {
      this.zoo = zoo;
      this.work = work;
      this.report = report;
      this.children = children;
      this.compute = compute;
      this.narrator = narrator;
      this.loadBefore = loadBefore;
    }

    Path all() throws IOException, InterruptedException {
      DemoFederation federation = new DemoFederation(children, work);

      Narrator.Timer t = narrator.begin();
      String bootstrap = federation.startBootstrap();
      t.done(
          "bootstrap peer of federation '" + DemoFederation.NAME + "' listening on " + bootstrap);

      t = narrator.begin();
      List<DemoNode> nodes =
          federation.createHomes(
              List.of(
                  new DemoFederation.Plan(
                      "node1", ordered("base", zoo.base(), "arith", zoo.arith())),
                  new DemoFederation.Plan(
                      "node2", ordered("base", zoo.base(), "relational", zoo.relational())),
                  new DemoFederation.Plan("node3", ordered("family-b", zoo.familyB()))));
      DemoNode node1 = nodes.get(0);
      DemoNode node2 = nodes.get(1);
      DemoNode node3 = nodes.get(2);
      String baseId = node1.hostedId("base");
      String arithId = node1.hostedId("arith");
      String relId = node2.hostedId("relational");
      String familyBId = node3.hostedId("family-b");
      ids.put("base (nodes 1 and 2)", baseId);
      ids.put("arith (node 1)", arithId);
      ids.put("relational (node 2)", relId);
      ids.put("family-b (node 3)", familyBId);
      t.done(
          "3 node homes (amalgam init, expert add): node 1 hosts base + arith "
              + shortId(arithId)
              + ", node 2 base + relational "
              + shortId(relId)
              + ", node 3 family-b "
              + shortId(familyBId));

      Path data = generateFusionData(node1, node3);
      Future<SummaryMade> summary = summarizeOnNode3(node3);

      Evaluations evaluations = new Evaluations(compute, options.n(), options.seed());

      t = narrator.begin();
      federation.startNodes();
      t.done(
          "3 node daemons started (amalgam node start): "
              + String.join(
                  ", ", nodes.stream().map(n -> n.name() + " " + shortId(n.peerId())).toList())
              + ", joined through the bootstrap peer");
      evaluations.submit("base", zoo.base());
      evaluations.submit("arith (node 1)", zoo.arith());

      t = narrator.begin();
      List<ExpertView> seen =
          node1.awaitExperts(
              v ->
                  DemoNode.card(v, relId, node2.peerId()).isPresent()
                      && DemoNode.card(v, familyBId, node3.peerId()).isPresent(),
              CONVERGE,
              "the cards of relational (node 2) and family-b (node 3)");
      long peers = seen.stream().map(ExpertView::peer).distinct().count();
      t.done(
          "node 1 discovered relational on node 2 and family-b on node 3 (signed cards over"
              + " gossip, peers through the DHT): "
              + seen.size()
              + " expert cards from "
              + peers
              + " peers");

      t = narrator.begin();
      Fetched fetched = fetchThroughNode1(node1, relId);
      Path relational = fetched.dir();
      evaluations.submit("relational (node 2)", relational);
      t.done(fetched.description());

      t = narrator.begin();
      DemoSearch.Outcome search =
          DemoSearch.run(
              new DemoSearch.Input(zoo.base(), baseId),
              new DemoSearch.Input(zoo.arith(), arithId),
              new DemoSearch.Input(relational, relId),
              options.budget(),
              options.devN(),
              options.seed(),
              node1.home().resolve("recipes"),
              report.resolve("search"));
      t.done(
          String.format(
              Locale.ROOT,
              "layer-wise search on node 1: CMA-ES over %d per-layer task-arithmetic weights"
                  + " (%d layer groups x 2 experts), %d candidates merged in memory and scored on"
                  + " %d dev examples each of %s: log-likelihood %.4f (uniform start %.4f)",
              search.genes(),
              search.groups(),
              search.evaluations(),
              options.devN(),
              String.join(" and ", DemoSearch.FAMILIES),
              search.best().fitness(),
              search.start().fitness()));

      t = narrator.begin();
      Path merges = node1.home().resolve("merges");
      Future<String> uniformMerge =
          compute.submit(() -> mergeOn(node1, search.uniformRecipe(), merges.resolve("uniform")));
      String layerwiseId = mergeOn(node1, search.bestRecipe(), merges.resolve("layerwise"));
      String uniformId = Futures.get(uniformMerge);
      ids.put("uniform merge", uniformId);
      ids.put("layer-wise merge", layerwiseId);
      evaluations.submit("uniform merge", merges.resolve("uniform"));
      t.done(
          "node 1 merged both recipes by expert ids (amalgam merge): layer-wise "
              + shortId(layerwiseId)
              + ", uniform "
              + shortId(uniformId));

      t = narrator.begin();
      SummaryMade made = Futures.get(summary);
      Path summaryDir = node1.home().resolve("summaries-fetched").resolve(made.id());
      String summaryFetch = deliverSummary(node3, node1, made, summaryDir);
      ids.put("family-b summary (node 3)", made.id());
      t.done(
          "node 3 hosts its summary "
              + shortId(made.id())
              + " (amalgam summary add: signed note on gossip, DHT provider records); node 1"
              + " accepted the note and fetched it over bitswap (amalgam summary fetch): "
              + summaryFetch);

      t = narrator.begin();
      evaluations.submit("layer-wise merge", merges.resolve("layerwise"));
      Path fused = merges.resolve("fused");
      FuseRun.Result fusion =
          FuseRun.run(
              merges.resolve("layerwise"),
              List.of(summaryDir),
              data,
              fused,
              new FuseOptions(
                  FusionRule.MIN_CE,
                  FuseOptions.DEFAULT_LAMBDA,
                  1,
                  1e-3,
                  FUSE_BATCH,
                  options.seed()),
              new FuseRun.Listener() {
                @Override
                public void step(StepResult result, int total) {}
              });
      String fusedId = expertId(fused);
      ids.put("fused (layer-wise merge + family-b summary)", fusedId);
      evaluations.submit("fused", fused);
      evaluations.submit("family-b (node 3)", zoo.familyB());
      t.done(
          String.format(
              Locale.ROOT,
              "fused family-b's distributions into the layer-wise merge (minCE, lambda %.1f, %d"
                  + " steps, loss %.3f -> %.3f): %s",
              FuseOptions.DEFAULT_LAMBDA,
              fusion.steps(),
              fusion.firstLoss(),
              fusion.lastLoss(),
              shortId(fusedId)));

      t = narrator.begin();
      List<TestScores> scores = evaluations.awaitAll();
      ResultsTable table = new ResultsTable(order(scores), options.n());
      t.done(
          "evaluated "
              + scores.size()
              + " models on "
              + options.n()
              + " test examples of each of "
              + String.join(", ", Evaluations.FAMILIES)
              + " (two at a time)");

      t = narrator.begin();
      TestScores layerwiseScores = find(scores, "layer-wise merge");
      String published =
          publishOnNode1(node1, merges.resolve("layerwise"), baseId, layerwiseScores);
      if (!published.equals(layerwiseId)) {
        throw new DemoException(
            "node 1 published " + published + " but its merge output id was " + layerwiseId);
      }
      String recipeText = Files.readString(search.bestRecipe(), StandardCharsets.UTF_8);
      t.done(
          "node 1 published the layer-wise merge as expert "
              + shortId(published)
              + " (amalgam expert add): its card carries the scores and the provenance (merged"
              + " from base, arith, relational; recipe SHA-256 "
              + ExpertCard.recipeSha256(recipeText).substring(0, 12)
              + "…)");

      t = narrator.begin();
      String rederived =
          rederiveOnNode2(node2, node1, published, recipeText, Set.of(baseId, arithId, relId));
      String confirmation =
          "node 2 re-derived the merge from the recipe by expert ids: "
              + rederived
              + (rederived.equals(published) ? " = the published id: same expert id" : "");
      if (!rederived.equals(published)) {
        throw new DemoException(
            "node 2 re-derived the merge as " + rederived + ", not the published " + published);
      }
      ids.put("re-derived by node 2", rederived);
      t.done(
          "node 2 saw the card over gossip, checked the recipe against its SHA-256 and"
              + " re-derived the merge by expert ids (fetching arith from node 1): "
              + shortId(rederived)
              + ", same expert id");

      t = narrator.begin();
      int started = children.started().size();
      int killed = children.stopAll();
      t.done(
          "stopped the bootstrap peer and the 3 node daemons (SIGTERM"
              + (killed > 0 ? "; " + killed + " needed SIGKILL" : "")
              + "); "
              + started
              + " processes started in all, none left running");

      t = narrator.begin();
      Path html =
          HtmlReport.write(
              report,
              new HtmlReport.Contents(
                  settings(),
                  "machine: "
                      + Runtime.getRuntime().availableProcessors()
                      + " cores; load average "
                      + loadBefore
                      + " at the start, "
                      + loadAverage()
                      + " at the end",
                  narrator.steps(),
                  table,
                  ids,
                  confirmation,
                  recipeText,
                  Files.readString(fused.resolve(FuseRun.PROVENANCE), StandardCharsets.UTF_8),
                  report.resolve("search")));
      Files.writeString(report.resolve("layerwise.yml"), recipeText, StandardCharsets.UTF_8);
      t.done("wrote " + html);

      out.println();
      table.print(out);
      out.println();
      out.println(confirmation);
      out.printf(Locale.ROOT, "report: %s (%.1f s in all)%n", html, narrator.elapsedSeconds());
      out.flush();
      return html;
    }

    /** {@code amalgam fetch} on node 1: its daemon finds the providers and fetches. */
    private Fetched fetchThroughNode1(DemoNode node1, String id)
        throws IOException, InterruptedException {
      Path target = NodeHome.open(node1.home()).dataDir().resolve("experts").resolve(id);
      List<String> lines =
          children.run(
              "node1-fetch",
              VERB,
              "fetch",
              id,
              "-o",
              target.toString(),
              "--home",
              node1.home().toString());
      String summary = value("node1-fetch", lines, "fetched " + id + ":");
      return new Fetched(
          target,
          "node 1 fetched relational through its daemon (amalgam fetch: providers from the DHT,"
              + " blocks over bitswap, each checked against its CID, expert id verified): "
              + summary);
    }

    private Path generateFusionData(DemoNode node1, DemoNode node3) throws IOException {
      // Both nodes generate the same examples (same family, split, n, seed): the summary names
      // the dataset by id, and fusion checks that node 1's copy is the one summarized.
      var examples =
          TaskFamilies.generate(
              TaskFamilies.byName("composite"), Split.TRAIN, options.fuseN(), options.seed());
      Path mine = node1.home().resolve("composite-train.jsonl");
      TaskJsonl.write(mine, examples);
      TaskJsonl.write(node3.home().resolve("composite-train.jsonl"), examples);
      return mine;
    }

    /** Node 3's {@code amalgam summarize} of family-b, running beside the next steps. */
    private Future<SummaryMade> summarizeOnNode3(DemoNode node3) throws IOException {
      Path dir = node3.home().resolve("summaries").resolve("family-b-composite");
      AmalgamChild child =
          children.start(
              "node3-summarize",
              "summarize",
              zoo.familyB().toString(),
              "--data",
              node3.home().resolve("composite-train.jsonl").toString(),
              "-o",
              dir.toString());
      Narrator.Timer t = narrator.begin();
      FutureTask<SummaryMade> task =
          new FutureTask<>(
              () -> {
                List<String> lines = child.awaitSuccess(VERB);
                String id = value("node3-summarize", lines, "summary id");
                t.done(
                    "node 3 summarized family-b on "
                        + options.fuseN()
                        + " composite train examples (amalgam summarize): summary "
                        + shortId(id));
                return new SummaryMade(id, dir);
              });
      Thread.ofPlatform().daemon().name("node3-summarize").start(task);
      return task;
    }

    /**
     * Node 3 hosts the summary; node 1 waits for its signed note on the experts topic, then fetches
     * it by id through its daemon (providers from the DHT, every block checked against its CID).
     */
    private String deliverSummary(DemoNode node3, DemoNode node1, SummaryMade made, Path target)
        throws IOException, InterruptedException {
      List<String> added =
          children.run(
              "node3-summary-add",
              VERB,
              "summary",
              "add",
              made.dir().toString(),
              "--name",
              "family-b-composite",
              "--home",
              node3.home().toString());
      if (added.stream().noneMatch(l -> l.strip().equals(made.id()))) {
        throw new DemoException(
            "node3-summary-add: did not print summary id " + made.id() + " (see its log)");
      }
      node1
          .daemon()
          .awaitLine(
              l -> l.contains("summary note accepted") && l.contains(made.id()),
              VERB,
              "the summary note of node 3");
      List<String> lines =
          children.run(
              "node1-summary-fetch",
              VERB,
              "summary",
              "fetch",
              made.id(),
              "-o",
              target.toString(),
              "--home",
              node1.home().toString());
      return value("node1-summary-fetch", lines, "fetched summary " + made.id() + ":");
    }

    private String mergeOn(DemoNode node, Path recipe, Path output)
        throws IOException, InterruptedException {
      String name = node.name() + "-merge-" + output.getFileName();
      List<String> lines =
          children.run(
              name,
              VERB,
              "merge",
              recipe.toString(),
              "-o",
              output.toString(),
              "--home",
              node.home().toString());
      return value(name, lines, "output id");
    }

    private String publishOnNode1(DemoNode node1, Path merged, String baseId, TestScores scores)
        throws IOException, InterruptedException {
      List<String> args =
          new ArrayList<>(
              List.of(
                  "expert",
                  "add",
                  merged.toString(),
                  "--home",
                  node1.home().toString(),
                  "--name",
                  "demo-layerwise-merge",
                  "--base",
                  baseId,
                  "--tag",
                  "demo"));
      for (String f : Evaluations.FAMILIES) {
        args.add("--score");
        args.add(
            String.format(Locale.ROOT, "%s=%.4f", f, scores.perFamily().get(f).accuracy().rate()));
      }
      List<String> lines = children.run("node1-publish", VERB, args.toArray(String[]::new));
      return lines.get(lines.size() - 1).strip();
    }

    private String rederiveOnNode2(
        DemoNode node2, DemoNode node1, String published, String recipeText, Set<String> inputs)
        throws IOException, InterruptedException {
      List<ExpertView> seen =
          node2.awaitExperts(
              v -> DemoNode.card(v, published, node1.peerId()).isPresent(),
              CONVERGE,
              "node 1's card of the published merge " + published);
      ExpertView card = DemoNode.card(seen, published, node1.peerId()).orElseThrow();
      if (!ExpertCard.recipeSha256(recipeText).equals(card.recipeSha256())) {
        throw new DemoException(
            "node 2: the recipe's SHA-256 "
                + ExpertCard.recipeSha256(recipeText)
                + " is not the one on the card ("
                + card.recipeSha256()
                + ")");
      }
      if (!Set.copyOf(card.mergedFrom()).equals(inputs)) {
        throw new DemoException(
            "node 2: the card says merged from " + card.mergedFrom() + ", expected " + inputs);
      }
      Path received = node2.home().resolve("received").resolve("layerwise.yml");
      Files.createDirectories(received.getParent());
      Files.writeString(received, recipeText, StandardCharsets.UTF_8);
      return mergeOn(node2, received, node2.home().resolve("merges").resolve("layerwise"));
    }

    private String settings() {
      return String.format(
          Locale.ROOT,
          "amalgam demo --n %d --budget %d --dev-n %d --fuse-n %d --seed %d; zoo %s",
          options.n(),
          options.budget(),
          options.devN(),
          options.fuseN(),
          options.seed(),
          zoo.dir());
    }
  }

  private record Fetched(Path dir, String description) {}

  private record SummaryMade(String id, Path dir) {}

  /** The table's row order: the experts, then what was made of them. */
  private static final List<String> ROWS =
      List.of(
          "base",
          "arith (node 1)",
          "relational (node 2)",
          "family-b (node 3)",
          "uniform merge",
          "layer-wise merge",
          "fused");

  private static List<TestScores> order(List<TestScores> scores) {
    List<TestScores> ordered = new ArrayList<>();
    for (String label : ROWS) {
      scores.stream().filter(s -> s.label().equals(label)).findFirst().ifPresent(ordered::add);
    }
    return ordered;
  }

  private static TestScores find(List<TestScores> scores, String label) {
    return scores.stream().filter(s -> s.label().equals(label)).findFirst().orElseThrow();
  }

  private static Map<String, Path> ordered(Object... nameAndPath) {
    Map<String, Path> m = new LinkedHashMap<>();
    for (int i = 0; i < nameAndPath.length; i += 2) {
      m.put((String) nameAndPath[i], (Path) nameAndPath[i + 1]);
    }
    return m;
  }

  /** The value after {@code key} on the first output line starting with it. */
  private static String value(String who, List<String> lines, String key) throws DemoException {
    for (String l : lines) {
      if (l.startsWith(key + " ")) {
        return l.substring(key.length()).strip();
      }
    }
    throw new DemoException(
        who + ": no '" + key + "' line in its output (" + lines.size() + " lines; see its log)");
  }

  private static String expertId(Path dir) throws IOException {
    try (Checkpoint c = Checkpoint.open(dir)) {
      return new Fingerprinter(1).manifest(c).id().toString();
    }
  }

  static String shortId(String id) {
    return id.length() <= 14 ? id : "…" + id.substring(id.length() - 10);
  }

  private static String loadAverage() {
    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    return load < 0 ? "unknown" : String.format(Locale.ROOT, "%.2f", load);
  }
}
