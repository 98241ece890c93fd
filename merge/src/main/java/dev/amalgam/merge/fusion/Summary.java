package dev.amalgam.merge.fusion;

import dev.amalgam.multiformats.Cid;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A distribution summary read from its directory, every block verified against its CID: the root
 * document, the source vocabulary's byte surfaces and one {@link SequenceSummary} per data example.
 */
public record Summary(
    Path location,
    Cid id,
    SummaryManifest manifest,
    String[] vocabulary,
    List<SequenceSummary> sequences) {

  /** Reads only summary.json (no block checks): enough to describe a summary. */
  public static SummaryManifest readManifest(Path dir) throws IOException {
    Path root = dir.resolve(SummaryBlocks.ROOT);
    try {
      return SummaryManifest.parse(Files.readAllBytes(root), root.toString());
    } catch (NoSuchFileException e) {
      throw new SummaryFormatException(
          dir + ": not a summary directory (no " + SummaryBlocks.ROOT + ")");
    }
  }

  public static Summary open(Path dir) throws IOException {
    SummaryManifest manifest = readManifest(dir);
    ByteArrayOutputStream vocab = new ByteArrayOutputStream();
    for (Cid cid : manifest.vocabulary().blocks()) {
      vocab.writeBytes(SummaryBlocks.read(dir, cid));
    }
    String[] vocabulary =
        VocabularyCodec.decode(
            vocab.toByteArray(),
            manifest.vocabulary().size(),
            dir.resolve(SummaryBlocks.BLOCKS) + " (vocabulary)");
    if (manifest.eosId() >= vocabulary.length) {
      throw new SummaryFormatException(
          dir.resolve(SummaryBlocks.ROOT)
              + ": eos_id "
              + manifest.eosId()
              + " outside the vocabulary");
    }
    List<SequenceSummary> sequences = new ArrayList<>();
    long tokens = 0;
    for (SummaryManifest.ChunkEntry chunk : manifest.chunks()) {
      byte[] block = SummaryBlocks.read(dir, chunk.cid());
      List<SequenceSummary> decoded =
          ChunkCodec.decode(
              block,
              chunk.count(),
              manifest.topK(),
              manifest.logprobScale(),
              vocabulary.length,
              SummaryBlocks.blockPath(dir, chunk.cid()).toString());
      for (SequenceSummary s : decoded) {
        tokens += s.size();
      }
      sequences.addAll(decoded);
    }
    if (tokens != manifest.responseTokens()) {
      throw new SummaryFormatException(
          dir.resolve(SummaryBlocks.ROOT)
              + ": blocks hold "
              + tokens
              + " response tokens, field 'response_tokens' says "
              + manifest.responseTokens());
    }
    return new Summary(dir, manifest.id(), manifest, vocabulary, List.copyOf(sequences));
  }
}
