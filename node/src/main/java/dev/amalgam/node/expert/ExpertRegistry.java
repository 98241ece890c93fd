package dev.amalgam.node.expert;

import dev.amalgam.merge.checkpoint.Checkpoint;
import dev.amalgam.merge.fingerprint.Fingerprint;
import dev.amalgam.merge.fingerprint.Fingerprinter;
import dev.amalgam.multiformats.Cid;
import dev.amalgam.node.home.HomeException;
import dev.amalgam.node.home.NodeStore;
import dev.amalgam.node.home.NodeStore.HostedExpert;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The experts a node hosts. Adding one fingerprints the checkpoint where it lies (nothing is
 * copied) and records it in the node database; the daemon turns each into a signed card. A merge
 * output's {@code amalgam-merge.json} gives the card its provenance: the input expert ids and the
 * SHA-256 of the recipe text.
 */
public final class ExpertRegistry {
  private static final String TAG_PATTERN = "[A-Za-z0-9._:-]{1,64}";

  private final NodeStore store;

  public ExpertRegistry(NodeStore store) {
    this.store = store;
  }

  /** What the user asks to host. */
  public record Request(
      Path path, String name, String base, List<String> tags, Map<String, Double> scores) {}

  public HostedExpert add(Request r) throws IOException {
    Path path = r.path().toAbsolutePath().normalize();
    if (!Files.exists(path)) {
      throw new HomeException(path + ": no such checkpoint");
    }
    if (r.base() != null) {
      try {
        Cid.parse(r.base());
      } catch (IllegalArgumentException e) {
        throw new HomeException("--base '" + r.base() + "': not an expert id: " + e.getMessage());
      }
    }
    for (String t : r.tags()) {
      if (!t.matches(TAG_PATTERN)) {
        throw new HomeException(
            "--tag '" + t + "': tags are 1-64 letters, digits, '.', '_', ':' or '-'");
      }
    }
    if (r.tags().size() > 32) {
      throw new HomeException("at most 32 tags per expert, got " + r.tags().size());
    }
    String name = r.name() != null ? r.name() : defaultName(path);
    if (name.isBlank() || name.length() > 128 || name.contains(",")) {
      throw new HomeException("--name '" + name + "': 1-128 characters, no commas");
    }
    Fingerprint fp;
    try (Checkpoint ckpt = Checkpoint.open(path)) {
      fp = Fingerprinter.withAvailableCores().fingerprint(ckpt);
    }
    Provenance prov = provenance(path);
    HostedExpert e =
        new HostedExpert(
            fp.expertId().toString(),
            path,
            name,
            fp.familyId().toString(),
            fp.tokenizerId().map(Cid::toString).orElse(null),
            r.base(),
            r.tags(),
            System.currentTimeMillis(),
            fp.manifest().totalBytes(),
            r.scores(),
            prov.inputs(),
            prov.recipeSha256());
    try {
      store.putHostedExpert(e, null);
    } catch (SQLException ex) {
      throw new HomeException("cannot record the expert: " + ex.getMessage(), ex);
    }
    return e;
  }

  private record Provenance(List<String> inputs, String recipeSha256) {}

  private static final String MERGE_RECORD = "amalgam-merge.json";

  /** The inputs and recipe hash of a merge output; empty for any other checkpoint. */
  private static Provenance provenance(Path path) throws IOException {
    Path file = Files.isDirectory(path) ? path.resolve(MERGE_RECORD) : null;
    if (file == null || !Files.exists(file)) {
      return new Provenance(List.of(), null);
    }
    com.fasterxml.jackson.databind.JsonNode root;
    try {
      root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new HomeException(file + ": not valid JSON: " + e.getMessage());
    }
    if (!root.path("recipe").isTextual()) {
      throw new HomeException(file + ": field 'recipe' missing or not a string");
    }
    List<String> inputs = new java.util.ArrayList<>();
    int i = 0;
    for (com.fasterxml.jackson.databind.JsonNode in : root.path("inputs")) {
      String id = in.path("id").asText(null);
      if (id == null) {
        throw new HomeException(file + ": inputs[" + i + "] has no 'id'");
      }
      try {
        Cid.parse(id);
      } catch (IllegalArgumentException e) {
        throw new HomeException(file + ": inputs[" + i + "].id '" + id + "': " + e.getMessage());
      }
      if (!inputs.contains(id)) {
        inputs.add(id);
      }
      i++;
    }
    return new Provenance(
        inputs, dev.amalgam.bootstrap.card.ExpertCard.recipeSha256(root.get("recipe").asText()));
  }

  private static String defaultName(Path path) {
    String file = path.getFileName().toString();
    return file.endsWith(".safetensors") ? file.substring(0, file.length() - 12) : file;
  }

  public List<HostedExpert> list() throws IOException {
    try {
      return store.hostedExperts();
    } catch (SQLException e) {
      throw new HomeException("cannot read hosted experts: " + e.getMessage(), e);
    }
  }

  public Optional<HostedExpert> find(String expertId) throws IOException {
    return list().stream().filter(e -> e.expertId().equals(expertId)).findFirst();
  }

  /** Removes a hosted expert; false when the node did not host it. */
  public boolean remove(String expertId) throws IOException {
    try {
      return store.removeHostedExpert(expertId);
    } catch (SQLException e) {
      throw new HomeException("cannot remove the expert: " + e.getMessage(), e);
    }
  }
}
