package dev.amalgam.protocol.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Poly1305IntrinsicTest {
  @Test
  void avx512IfmaWithVlAndBwOrAvxIfmaCountsButPlainAvx2DoesNot() {
    Set<String> avx512 = Set.of("avx2", "avx512f", "avx512ifma", "avx512vl", "avx512bw");
    assertThat(Poly1305Intrinsic.accelerates(avx512, 3)).isTrue();
    assertThat(Poly1305Intrinsic.accelerates(avx512, 2)).as("-XX:UseAVX=2").isFalse();
    assertThat(Poly1305Intrinsic.accelerates(Set.of("avx2", "avx512f", "avx512vl"), 3)).isFalse();
    assertThat(Poly1305Intrinsic.accelerates(Set.of("avx2", "avx_ifma"), 2)).isTrue();
    assertThat(Poly1305Intrinsic.accelerates(Set.of("avx2", "avx_ifma"), 1)).isFalse();
    assertThat(Poly1305Intrinsic.accelerates(Set.of("avx2", "bmi2"), 2)).isFalse();
  }

  @Test
  void readsTheFlagsOfTheFirstProcessor(@TempDir Path dir) throws Exception {
    Path cpuinfo = dir.resolve("cpuinfo");
    Files.writeString(
        cpuinfo,
        "processor\t: 0\nmodel name\t: X\nflags\t\t: fpu avx2 avx512ifma\n\n"
            + "processor\t: 1\nflags\t\t: fpu\n");
    assertThat(Poly1305Intrinsic.cpuFlags(cpuinfo))
        .containsExactlyInAnyOrder("fpu", "avx2", "avx512ifma");
    assertThat(Poly1305Intrinsic.cpuFlags(dir.resolve("missing"))).isEmpty();
  }
}
