package dev.amalgam.merge.fusion;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.merge.tokenizer.TokenSurfaces;
import dev.amalgam.merge.tokenizer.TokenSurfaces.Style;
import org.junit.jupiter.api.Test;

class AlignmentTest {

  @Test
  void surfacesNormalizeSpaceMarkersAndByteFallback() {
    assertThat(TokenSurfaces.surface("\u2581Bob", Style.METASPACE)).isEqualTo(" Bob");
    assertThat(TokenSurfaces.surface("<0x0A>", Style.METASPACE)).isEqualTo("\n");
    assertThat(TokenSurfaces.surface("\u0120Bob", Style.BYTE_LEVEL)).isEqualTo(" Bob");
    assertThat(TokenSurfaces.surface("\u010a", Style.BYTE_LEVEL)).isEqualTo("\n");
    // "é" is bytes C3 A9; byte-level writes them as "Ã©".
    assertThat(TokenSurfaces.surface("\u00c3\u00a9", Style.BYTE_LEVEL))
        .isEqualTo(TokenSurfaces.bytesOf("é"));
    assertThat(TokenSurfaces.surface("é", Style.METASPACE)).isEqualTo(TokenSurfaces.bytesOf("é"));
    assertThat(TokenSurfaces.surface(" taller", Style.LITERAL)).isEqualTo(" taller");
  }

  @Test
  void identicalTokenizationsAlignOneToOneAndExactly() {
    String[] tokens = {"Bob", " has", " ", "1", "2", "0", "."};
    Alignment a = TokenAligner.align(tokens, tokens);
    assertThat(a.sourceOfTarget()).containsExactly(0, 1, 2, 3, 4, 5, 6);
    assertThat(a.exactMatches()).isEqualTo(7);
  }

  @Test
  void differentSegmentationsAlignTheSharedTokensAndLeaveSplitsUnaligned() {
    String[] source = {" Bob", " has", " 1", "2", "0", " more"};
    String[] target = {"Bob", " has", " ", "1", "2", "0", " more"};
    Alignment a = TokenAligner.align(source, target);
    // " 1" covers target " " and "1": neither is one-to-one.
    assertThat(a.sourceOfTarget()).containsExactly(0, 1, -1, -1, 3, 4, 5);
    assertThat(a.exact()).containsExactly(false, true, false, false, true, true, true);
    assertThat(a.oneToOne()).isEqualTo(5);
  }

  @Test
  void aPieceOfALongerTokenGoesWithThatTokenNotWithItsNeighbour() {
    // Family A splits " + " into " ", "+", " "; family B writes " +" after "2".
    String[] source = {" 9", "7", "2", " +", " 6", "8"};
    String[] target = {" ", "9", "7", "2", " ", "+", " ", "6", "8"};
    Alignment a = TokenAligner.align(source, target);
    assertThat(a.sourceOfTarget()).containsExactly(-1, -1, 1, 2, -1, -1, -1, 4, 5);
  }

  @Test
  void vocabularyMapPrefersExactThenNearestSurface() {
    String[] source = {"<unk>", " Bob", " Bobby", "x"};
    String[] target = {"<unk>", "Bob", " Bob", " Bo", null, ""};
    VocabularyMap map = new VocabularyMap(source, target);
    assertThat(map.map(1)).isEqualTo(2);
    assertThat(map.map(2)).isEqualTo(2);
    assertThat(map.map(0)).isEqualTo(0);
    map.pin(3, 1);
    assertThat(map.map(3)).isEqualTo(1);
  }

  @Test
  void vocabularyMapBreaksDistanceTiesByTheTextWithoutWhitespace() {
    // " 9" is one edit from both " " and "9"; the digit is what it means.
    String[] source = {" 9", "\u00a0x"};
    String[] target = {" ", "x", "9"};
    VocabularyMap map = new VocabularyMap(source, target);
    assertThat(map.map(0)).isEqualTo(2);
  }

  @Test
  void minCeTakesTheLowestAndAvgCeWeighsBySoftmaxOfNegativeCe() {
    double[] ce = {1.0, 0.5, 2.0};
    assertThat(FusionRule.MIN_CE.weights(ce)).containsExactly(0, 1, 0);
    double[] w = FusionRule.AVG_CE.weights(ce);
    double z = Math.exp(-1.0) + Math.exp(-0.5) + Math.exp(-2.0);
    assertThat(w[1]).isCloseTo(Math.exp(-0.5) / z, org.assertj.core.api.Assertions.within(1e-12));
    assertThat(FusionRule.parse("avgce")).isEqualTo(FusionRule.AVG_CE);
  }

  @Test
  void topKMergesIdsThatMapToOneTargetToken() {
    SparseDistribution d =
        SparseDistribution.fromTopK(
            new int[] {5, 5, 9},
            new float[] {(float) Math.log(0.5), (float) Math.log(0.25), (float) Math.log(0.25)},
            0);
    assertThat(d.ids()).containsExactly(5, 9);
    assertThat(d.probs()[0]).isCloseTo(0.75f, org.assertj.core.api.Assertions.within(1e-6f));
    SparseDistribution mixed =
        SparseDistribution.mix(
            java.util.List.of(d, SparseDistribution.oneHot(9)), new double[] {0.5, 0.5});
    assertThat(mixed.ids()).containsExactly(5, 9);
    assertThat(mixed.probs()[1]).isCloseTo(0.625f, org.assertj.core.api.Assertions.within(1e-6f));
  }
}
