package dev.amalgam.merge.fusion;

import dev.amalgam.merge.checkpoint.AtomicDirectory;
import dev.amalgam.multiformats.Cid;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes a summary directory atomically: sequences are buffered into chunks of about {@link
 * #CHUNK_TOKENS} response tokens, each compressed into one block named by its CID; {@link #commit}
 * writes the vocabulary block(s) and summary.json and renames the directory into place.
 */
public final class SummaryWriter implements AutoCloseable {
  /** Response tokens per chunk: at k = 10 a chunk is ~0.2 MiB raw, far under MAX_BLOCK. */
  static final int CHUNK_TOKENS = 4096;

  public static final int DEFAULT_LOGPROB_SCALE = 16;

  /** What the summary describes; the writer fills in the blocks. */
  public record Header(Cid dataset, Cid sourceModel, Cid sourceTokenizer, int topK, int eosId) {}

  private final AtomicDirectory dir;
  private final Header header;
  private final String[] vocabulary;
  private final int scale = DEFAULT_LOGPROB_SCALE;
  private final List<SequenceSummary> pending = new ArrayList<>();
  private final List<SummaryManifest.ChunkEntry> chunks = new ArrayList<>();
  private int pendingTokens;
  private long sequences;
  private long responseTokens;

  private SummaryWriter(AtomicDirectory dir, Header header, String[] vocabulary) {
    this.dir = dir;
    this.header = header;
    this.vocabulary = vocabulary.clone();
  }

  public static SummaryWriter create(Path target, Header header, String[] vocabularySurfaces)
      throws IOException {
    if (Files.exists(target)) {
      throw new IllegalArgumentException(target + ": already exists (choose another output)");
    }
    return new SummaryWriter(AtomicDirectory.create(target), header, vocabularySurfaces);
  }

  public void add(SequenceSummary sequence) throws IOException {
    if (sequence.topK() != header.topK()) {
      throw new IllegalArgumentException(
          "sequence "
              + sequences
              + " has top-k "
              + sequence.topK()
              + ", summary has "
              + header.topK());
    }
    for (int[] ids : new int[][] {sequence.tokens(), sequence.topIds()}) {
      for (int id : ids) {
        if (id < 0 || id >= vocabulary.length) {
          throw new IllegalArgumentException(
              "sequence "
                  + sequences
                  + ": token id "
                  + id
                  + " outside the vocabulary ("
                  + vocabulary.length
                  + " ids)");
        }
      }
    }
    pending.add(sequence);
    pendingTokens += sequence.size();
    sequences++;
    responseTokens += sequence.size();
    if (pendingTokens >= CHUNK_TOKENS) {
      flush();
    }
  }

  private void flush() throws IOException {
    if (pending.isEmpty()) {
      return;
    }
    byte[] block = ChunkCodec.encode(pending, header.topK(), scale);
    if (block.length > SummaryBlocks.MAX_BLOCK) {
      throw new IllegalStateException(
          "chunk of "
              + pending.size()
              + " sequences compressed to "
              + block.length
              + " bytes, over the block limit");
    }
    Cid cid = SummaryBlocks.cidOf(block);
    SummaryBlocks.write(dir.path(), cid, block);
    chunks.add(
        new SummaryManifest.ChunkEntry(
            cid, sequences - pending.size(), pending.size(), block.length));
    pending.clear();
    pendingTokens = 0;
  }

  /** Writes the remaining blocks and summary.json, renames into place; returns the manifest. */
  public SummaryManifest commit() throws IOException {
    flush();
    byte[] vocab = VocabularyCodec.encode(vocabulary);
    List<Cid> vocabBlocks = new ArrayList<>();
    for (int at = 0; at < vocab.length || vocabBlocks.isEmpty(); at += SummaryBlocks.MAX_BLOCK) {
      byte[] block =
          Arrays.copyOfRange(vocab, at, Math.min(vocab.length, at + SummaryBlocks.MAX_BLOCK));
      Cid cid = SummaryBlocks.cidOf(block);
      SummaryBlocks.write(dir.path(), cid, block);
      vocabBlocks.add(cid);
    }
    SummaryManifest manifest =
        new SummaryManifest(
            header.dataset(),
            header.sourceModel(),
            header.sourceTokenizer(),
            header.topK(),
            scale,
            header.eosId(),
            sequences,
            responseTokens,
            new SummaryManifest.VocabularyEntry(vocabulary.length, vocab.length, vocabBlocks),
            chunks);
    Files.write(dir.path().resolve(SummaryBlocks.ROOT), manifest.canonicalBytes());
    dir.commit(false);
    return manifest;
  }

  @Override
  public void close() throws IOException {
    dir.close();
  }
}
