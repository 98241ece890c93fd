package dev.amalgam.merge.search;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * The search log: one JSON line per evaluation ({@code eval}, {@code fitness}, {@code families},
 * {@code seconds}, {@code merged_tensors}, {@code cached}, {@code genome} by gene name), flushed
 * after each line so an interrupted search keeps everything it evaluated.
 */
public final class SearchLog implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final BufferedWriter writer;
  private final SearchSpace space;

  public SearchLog(Path file, SearchSpace space) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    this.writer =
        Files.newBufferedWriter(
            file,
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE);
    this.space = space;
  }

  public synchronized void append(String phase, Evaluation e) {
    ObjectNode line = JSON.createObjectNode();
    line.put("eval", e.index());
    line.put("phase", phase);
    line.put("fitness", e.fitness());
    ObjectNode families = line.putObject("families");
    for (Map.Entry<String, Double> f : e.score().perFamily().entrySet()) {
      families.put(f.getKey(), f.getValue());
    }
    line.put("seconds", e.seconds());
    line.put("merge_seconds", e.mergeSeconds());
    line.put("merged_tensors", e.mergedTensors());
    line.put("cached", e.cached());
    ObjectNode genome = line.putObject("genome");
    double[] g = e.genome();
    for (int i = 0; i < g.length; i++) {
      genome.put(space.geneName(i), g[i]);
    }
    try {
      writer.write(JSON.writeValueAsString(line));
      writer.write('\n');
      writer.flush();
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot write the search log: " + ex.getMessage(), ex);
    }
  }

  @Override
  public synchronized void close() throws IOException {
    writer.close();
  }
}
