package dev.amalgam.merge.fusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.amalgam.multiformats.Cid;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SummaryFormatTest {
  @TempDir Path temp;

  private static final Cid DATA = SummaryBlocks.cidOf(new byte[] {1});
  private static final Cid MODEL = SummaryBlocks.cidOf(new byte[] {2});

  private static List<SequenceSummary> sequences(int count, int k, int vocab, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<SequenceSummary> out = new ArrayList<>();
    for (int s = 0; s < count; s++) {
      int n = 1 + random.nextInt(40);
      int[] tokens = new int[n];
      int[] starts = new int[n];
      int[] ends = new int[n];
      int[] topIds = new int[n * k];
      float[] lp = new float[n * k];
      int at = 0;
      for (int t = 0; t < n; t++) {
        tokens[t] = random.nextInt(vocab);
        starts[t] = at;
        at += random.nextInt(4);
        ends[t] = at;
        float value = -random.nextFloat() * 0.5f;
        for (int r = 0; r < k; r++) {
          topIds[t * k + r] = random.nextInt(vocab);
          lp[t * k + r] = value;
          value -= random.nextFloat() * 2;
        }
      }
      out.add(new SequenceSummary(tokens, starts, ends, topIds, lp, random.nextFloat() * 50));
    }
    return out;
  }

  private static String[] vocabulary(int size) {
    String[] v = new String[size];
    for (int i = 0; i < size; i++) {
      v[i] = i == 7 ? null : "tok" + i;
    }
    return v;
  }

  private Path write(String name, List<SequenceSummary> sequences, int k) throws IOException {
    return write(name, sequences, k, 300);
  }

  private Path write(String name, List<SequenceSummary> sequences, int k, int vocab)
      throws IOException {
    Path dir = temp.resolve(name);
    try (SummaryWriter writer =
        SummaryWriter.create(
            dir, new SummaryWriter.Header(DATA, MODEL, null, k, 2), vocabulary(vocab))) {
      for (SequenceSummary s : sequences) {
        writer.add(s);
      }
      writer.commit();
    }
    return dir;
  }

  @Test
  void roundTripsEveryColumnWithLogProbsWithinHalfAQuantizationStep() throws IOException {
    List<SequenceSummary> written = sequences(300, 10, 300, 1);
    Summary read = Summary.open(write("s", written, 10));
    assertThat(read.manifest().chunks()).hasSizeGreaterThan(1);
    assertThat(read.vocabulary()[5]).isEqualTo("tok5");
    assertThat(read.vocabulary()[7]).isNull();
    assertThat(read.sequences()).hasSize(300);
    for (int s = 0; s < written.size(); s++) {
      SequenceSummary a = written.get(s);
      SequenceSummary b = read.sequences().get(s);
      assertThat(b.tokens()).isEqualTo(a.tokens());
      assertThat(b.starts()).isEqualTo(a.starts());
      assertThat(b.ends()).isEqualTo(a.ends());
      assertThat(b.topIds()).isEqualTo(a.topIds());
      assertThat(b.totalNll()).isEqualTo(a.totalNll());
      for (int i = 0; i < a.topLogProbs().length; i++) {
        // Each step rounds once, and steps accumulate, so allow the sum of k half-steps.
        assertThat((double) b.topLogProbs()[i]).isCloseTo(a.topLogProbs()[i], within(0.04));
      }
    }
  }

  @Test
  void theSameContentGivesTheSameSummaryId() throws IOException {
    List<SequenceSummary> content = sequences(50, 4, 300, 2);
    Summary a = Summary.open(write("a", content, 4));
    Summary b = Summary.open(write("b", content, 4));
    assertThat(a.id()).isEqualTo(b.id());
    assertThat(a.id().codec()).isEqualTo(SummaryManifest.JSON_CODEC);
    assertThat(Summary.open(write("c", sequences(50, 4, 300, 3), 4)).id()).isNotEqualTo(a.id());
  }

  @Test
  void rejectsATruncatedBlockNamingItsFileAndCid() throws IOException {
    Path dir = write("t", sequences(40, 10, 300, 4), 10);
    Cid chunk = Summary.readManifest(dir).chunks().getFirst().cid();
    Path block = dir.resolve("blocks").resolve(chunk.toString());
    byte[] bytes = Files.readAllBytes(block);
    Files.write(block, Arrays.copyOf(bytes, bytes.length - 10));
    assertThatThrownBy(() -> Summary.open(dir))
        .isInstanceOf(SummaryFormatException.class)
        .hasMessageContaining(chunk.toString())
        .hasMessageContaining("does not match its CID (truncated or corrupt)");
  }

  @Test
  void rejectsAFlippedByteInTheVocabularyBlock() throws IOException {
    Path dir = write("v", sequences(5, 10, 300, 5), 10);
    Cid vocab = Summary.readManifest(dir).vocabulary().blocks().getFirst();
    Path block = dir.resolve("blocks").resolve(vocab.toString());
    byte[] bytes = Files.readAllBytes(block);
    bytes[bytes.length / 2] ^= 1;
    Files.write(block, bytes);
    assertThatThrownBy(() -> Summary.open(dir)).hasMessageContaining("does not match its CID");
  }

  @Test
  void rejectsAMissingBlock() throws IOException {
    Path dir = write("m", sequences(5, 10, 300, 6), 10);
    Files.delete(
        dir.resolve("blocks")
            .resolve(Summary.readManifest(dir).chunks().getFirst().cid().toString()));
    assertThatThrownBy(() -> Summary.open(dir)).hasMessageContaining("block missing");
  }

  @Test
  void rejectsATruncatedRootDocument() throws IOException {
    Path dir = write("r", sequences(5, 10, 300, 7), 10);
    Path root = dir.resolve("summary.json");
    byte[] bytes = Files.readAllBytes(root);
    Files.write(root, Arrays.copyOf(bytes, bytes.length / 2));
    assertThatThrownBy(() -> Summary.open(dir))
        .hasMessageStartingWith(root.toString())
        .hasMessageContaining("not valid JSON");
  }

  @Test
  void staysUnderFortyBytesPerResponseTokenAtTopTenOnModelLikeDistributions() throws IOException {
    // Peaked distributions over a 32k vocabulary, ids drawn near the gold token as models do.
    SplittableRandom random = new SplittableRandom(8);
    int k = 10;
    List<SequenceSummary> sequences = new ArrayList<>();
    for (int s = 0; s < 100; s++) {
      int n = 60;
      int[] tokens = new int[n];
      int[] starts = new int[n];
      int[] ends = new int[n];
      int[] ids = new int[n * k];
      float[] lp = new float[n * k];
      for (int t = 0; t < n; t++) {
        tokens[t] = random.nextInt(32000);
        starts[t] = t * 3;
        ends[t] = t * 3 + 3;
        float value = -random.nextFloat() * 0.3f;
        for (int r = 0; r < k; r++) {
          ids[t * k + r] = r == 0 ? tokens[t] : random.nextInt(32000);
          lp[t * k + r] = value;
          value -= 0.5f + random.nextFloat() * 2;
        }
      }
      sequences.add(new SequenceSummary(tokens, starts, ends, ids, lp, 30f));
    }
    SummaryManifest m = Summary.open(write("size", sequences, k, 32000)).manifest();
    double perToken = (double) m.chunkBytes() / m.responseTokens();
    System.out.printf("summary size at k=10, 32k vocab, random ids: %.1f bytes/token%n", perToken);
    assertThat(perToken).isLessThan(40);
  }
}
