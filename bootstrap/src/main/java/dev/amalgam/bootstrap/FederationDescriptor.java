package dev.amalgam.bootstrap;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A federation: its name (which fixes its gossip topics {@code amalgam/<name>/experts} and {@code
 * amalgam/<name>/merges}), the bootstrap peers to join through, and the ids of the datasets it
 * shares for evaluation and for distribution summaries.
 *
 * <p>File form (YAML, or JSON for a {@code .json} file):
 *
 * <pre>
 * name: demo
 * bootstrap:
 *   - /ip4/192.0.2.1/tcp/4001/p2p/12D3KooW...
 * datasets:
 *   evaluation: [bafk...]
 *   summaries: [bafk...]
 * </pre>
 */
public record FederationDescriptor(
    String name,
    List<Multiaddr> bootstrap,
    List<String> evaluationDatasets,
    List<String> summaryDatasets) {

  private static final String NAME_PATTERN = "[A-Za-z0-9._-]{1,64}";
  private static final Set<String> KEYS = Set.of("name", "bootstrap", "datasets");
  private static final Set<String> DATASET_KEYS = Set.of("evaluation", "summaries");

  public FederationDescriptor {
    if (name == null || !name.matches(NAME_PATTERN)) {
      throw new IllegalArgumentException(
          "federation name '" + name + "' must be 1-64 letters, digits, '.', '_' or '-'");
    }
    bootstrap = List.copyOf(bootstrap);
    evaluationDatasets = List.copyOf(evaluationDatasets);
    summaryDatasets = List.copyOf(summaryDatasets);
  }

  /** A federation known only by name, with the given bootstrap peers and no shared datasets. */
  public static FederationDescriptor named(String name, List<Multiaddr> bootstrap) {
    return new FederationDescriptor(name, bootstrap, List.of(), List.of());
  }

  public String expertsTopic() {
    return "amalgam/" + name + "/experts";
  }

  public String mergesTopic() {
    return "amalgam/" + name + "/merges";
  }

  public List<String> topics() {
    return List.of(expertsTopic(), mergesTopic());
  }

  /** The same federation with more bootstrap peers (duplicates dropped). */
  public FederationDescriptor withExtraBootstrap(List<Multiaddr> extra) {
    List<Multiaddr> all = new ArrayList<>(bootstrap);
    extra.stream().filter(a -> !all.contains(a)).forEach(all::add);
    return new FederationDescriptor(name, all, evaluationDatasets, summaryDatasets);
  }

  /** Whether {@code arg} names a descriptor file rather than a bare federation name. */
  public static boolean looksLikeFile(String arg) {
    return arg.endsWith(".yaml")
        || arg.endsWith(".yml")
        || arg.endsWith(".json")
        || arg.contains("/");
  }

  /**
   * Parses a bootstrap multiaddr, which must name its peer; {@code where} prefixes the error.
   *
   * @throws FederationException naming {@code where} and the problem
   */
  public static Multiaddr parseBootstrap(String text, String where) throws FederationException {
    Multiaddr a;
    try {
      a = Multiaddr.parse(text);
    } catch (IllegalArgumentException e) {
      throw new FederationException(where + ": bootstrap '" + text + "': " + e.getMessage());
    }
    if (a.peerId().isEmpty()) {
      throw new FederationException(
          where + ": bootstrap '" + text + "': missing /p2p/<peer id> at the end");
    }
    return a;
  }

  /** Reads a descriptor; every error names the file and line. */
  public static FederationDescriptor read(Path file) throws FederationException {
    if (!Files.isRegularFile(file)) {
      throw new FederationException(file + ": no such federation descriptor file");
    }
    JsonFactory factory =
        file.toString().endsWith(".json") ? new JsonFactory() : YAMLFactory.builder().build();
    try (JsonParser p = factory.createParser(file.toFile())) {
      return new Reader(file, p).read();
    } catch (JsonProcessingException e) {
      throw new FederationException(
          file
              + ":"
              + (e.getLocation() == null ? "?" : e.getLocation().getLineNr())
              + ": "
              + e.getOriginalMessage());
    } catch (IOException e) {
      if (e instanceof FederationException fe) {
        throw fe;
      }
      throw new FederationException(file + ": cannot read: " + e.getMessage());
    }
  }

  /** A streaming reader, so that every value keeps the line it came from. */
  private static final class Reader {
    private final Path file;
    private final JsonParser p;
    private String name;
    private final List<Multiaddr> bootstrap = new ArrayList<>();
    private final List<String> evaluation = new ArrayList<>();
    private final List<String> summaries = new ArrayList<>();

    Reader(Path file, JsonParser p) {
      this.file = file;
      this.p = p;
    }

    private String at() {
      return file + ":" + p.currentLocation().getLineNr();
    }

    FederationDescriptor read() throws IOException {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new FederationException(at() + ": expected a mapping with keys " + sorted(KEYS));
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        p.nextToken();
        switch (key) {
          case "name" -> {
            if (p.currentToken() != JsonToken.VALUE_STRING || !p.getText().matches(NAME_PATTERN)) {
              throw new FederationException(
                  at() + ": name must be 1-64 letters, digits, '.', '_' or '-'");
            }
            name = p.getText();
          }
          case "bootstrap" -> {
            for (String s : strings("bootstrap")) {
              bootstrap.add(parseBootstrap(s, at()));
            }
          }
          case "datasets" -> readDatasets();
          default ->
              throw new FederationException(
                  at() + ": unknown key '" + key + "' (known: " + sorted(KEYS) + ")");
        }
      }
      if (name == null) {
        throw new FederationException(file + ": missing key 'name'");
      }
      return new FederationDescriptor(name, bootstrap, evaluation, summaries);
    }

    private void readDatasets() throws IOException {
      if (p.currentToken() != JsonToken.START_OBJECT) {
        throw new FederationException(
            at() + ": datasets must be a mapping with keys " + sorted(DATASET_KEYS));
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        p.nextToken();
        switch (key) {
          case "evaluation" -> evaluation.addAll(strings("datasets.evaluation"));
          case "summaries" -> summaries.addAll(strings("datasets.summaries"));
          default ->
              throw new FederationException(
                  at()
                      + ": unknown key '"
                      + key
                      + "' in datasets (known: "
                      + sorted(DATASET_KEYS)
                      + ")");
        }
      }
    }

    /** A list of strings; each string is parsed while the parser still points at its line. */
    private List<String> strings(String field) throws IOException {
      if (p.currentToken() != JsonToken.START_ARRAY) {
        throw new FederationException(at() + ": " + field + " must be a list of strings");
      }
      List<String> out = new ArrayList<>();
      while (p.nextToken() != JsonToken.END_ARRAY) {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
          throw new FederationException(
              at() + ": " + field + " entries must be strings, got " + p.getText());
        }
        if (field.equals("bootstrap")) {
          parseBootstrap(p.getText(), at());
        } else if (p.getText().isBlank()) {
          throw new FederationException(at() + ": " + field + " entry is empty");
        }
        out.add(p.getText());
      }
      return out;
    }

    private static TreeSet<String> sorted(Set<String> keys) {
      return new TreeSet<>(keys);
    }
  }
}
