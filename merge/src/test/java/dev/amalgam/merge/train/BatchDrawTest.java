package dev.amalgam.merge.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.merge.runtime.TrainingExample;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BatchDrawTest {

  private static final int BATCH = 16;

  /**
   * Pools of examples whose lengths vary (2 to 201 tokens), so sorting has something to do. One
   * instance for every draw: examples compare by identity.
   */
  private static final List<List<TrainingExample>> POOLS = pools();

  private static List<List<TrainingExample>> pools() {
    SplittableRandom r = new SplittableRandom(5);
    List<List<TrainingExample>> pools = new ArrayList<>();
    for (int family = 0; family < 2; family++) {
      List<TrainingExample> pool = new ArrayList<>();
      for (int e = 0; e < 300; e++) {
        int length = 2 + r.nextInt(200);
        pool.add(TrainingExample.promptResponse(new int[] {family}, new int[length - 1]));
      }
      pools.add(pool);
    }
    return pools;
  }

  private static BatchDraw draw(int buckets) {
    return new BatchDraw(POOLS, new double[] {1, 3}, new SplittableRandom(9), BATCH, buckets);
  }

  private static List<List<TrainingExample>> batches(BatchDraw draw, int count) {
    List<List<TrainingExample>> batches = new ArrayList<>();
    for (int b = 0; b < count; b++) {
      batches.add(draw.next());
    }
    return batches;
  }

  private static long paddedTokens(List<List<TrainingExample>> batches) {
    long padded = 0;
    for (List<TrainingExample> batch : batches) {
      int longest = batch.stream().mapToInt(ex -> ex.tokens().length).max().orElseThrow();
      padded += (long) longest * batch.size();
    }
    return padded;
  }

  @Test
  void bucketedBatchesHoldTheSameExamplesAsTheUnsortedDrawsOfTheirWindow() {
    List<TrainingExample> unsorted = new ArrayList<>();
    batches(draw(1), 8).forEach(unsorted::addAll);
    List<TrainingExample> bucketed = new ArrayList<>();
    batches(draw(8), 8).forEach(bucketed::addAll);
    assertThat(bucketed).hasSize(8 * BATCH).containsExactlyInAnyOrderElementsOf(unsorted);
  }

  @Test
  void batchesOfOneWindowCoverDisjointLengthRanges() {
    List<List<TrainingExample>> window = batches(draw(8), 8);
    window.sort(
        (a, b) -> Integer.compare(a.getFirst().tokens().length, b.getFirst().tokens().length));
    for (int b = 1; b < window.size(); b++) {
      int previousLongest =
          window.get(b - 1).stream().mapToInt(ex -> ex.tokens().length).max().orElseThrow();
      int shortest = window.get(b).stream().mapToInt(ex -> ex.tokens().length).min().orElseThrow();
      assertThat(shortest).isGreaterThanOrEqualTo(previousLongest);
    }
    assertThat(window).allSatisfy(batch -> assertThat(batch).hasSize(BATCH));
  }

  @Test
  void bucketingPadsFarLessThanUnsortedBatches() {
    long unsorted = paddedTokens(batches(draw(1), 200));
    long bucketed = paddedTokens(batches(draw(8), 200));
    assertThat(bucketed).isLessThan(unsorted * 3 / 4);
  }

  @Test
  void theSameSeedGivesTheSameBatchesAndWindowsComeInShuffledOrder() {
    List<List<TrainingExample>> first = batches(draw(8), 24);
    assertThat(batches(draw(8), 24)).isEqualTo(first);
    List<Integer> shortestPerBatch =
        first.subList(0, 8).stream().map(batch -> batch.getFirst().tokens().length).toList();
    assertThat(shortestPerBatch).isNotEqualTo(shortestPerBatch.stream().sorted().toList());
  }
}
