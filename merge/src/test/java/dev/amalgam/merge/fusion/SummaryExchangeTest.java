package dev.amalgam.merge.fusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.multiformats.Cid;
import dev.amalgam.multiformats.Multihash;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A summary served block by block from its directory and assembled again elsewhere. */
class SummaryExchangeTest {
  @TempDir Path temp;

  private static final Cid DATA = SummaryBlocks.cidOf(new byte[] {1});
  private static final Cid MODEL = SummaryBlocks.cidOf(new byte[] {2});

  private Path summary() throws IOException {
    Path dir = temp.resolve("source");
    String[] vocab = {"a", "b", "c", "</s>"};
    try (SummaryWriter w =
        SummaryWriter.create(dir, new SummaryWriter.Header(DATA, MODEL, null, 2, 3), vocab)) {
      for (int s = 0; s < 5; s++) {
        w.add(
            new SequenceSummary(
                new int[] {s % 3, 3},
                new int[] {0, 1},
                new int[] {1, 1},
                new int[] {0, 1, 3, 2},
                new float[] {-0.1f, -2f, -0.2f, -3f},
                1.5f + s));
      }
      w.commit();
    }
    return dir;
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  @Test
  void servedBlocksAssembleIntoAByteIdenticalSummary() throws IOException {
    Path source = summary();
    SummaryChunkSource served = SummaryChunkSource.open(source);
    assertThat(served.id()).isEqualTo(Summary.open(source).id());
    byte[] root = bytes(served.get(served.id()));
    Path target = temp.resolve("copy");
    try (SummaryAssembler a = SummaryAssembler.open(served.id(), root, target)) {
      assertThat(a.missing()).hasSize(served.blockCount() - 1);
      for (Cid cid : a.missing()) {
        a.write(cid, served.get(cid));
      }
      assertThat(a.commit()).isEqualTo(target.toAbsolutePath());
    }
    for (Path f : files(source)) {
      assertThat(Files.readAllBytes(target.resolve(source.relativize(f))))
          .as(f.toString())
          .isEqualTo(Files.readAllBytes(f));
    }
    assertThat(files(target)).hasSameSizeAs(files(source));
  }

  @Test
  void rootThatDoesNotHashToTheIdIsRefused() throws IOException {
    SummaryChunkSource served = SummaryChunkSource.open(summary());
    byte[] root = bytes(served.get(served.id()));
    byte[] truncated = java.util.Arrays.copyOf(root, root.length - 1);
    assertThatThrownBy(() -> SummaryAssembler.open(served.id(), truncated, temp.resolve("x")))
        .isInstanceOf(SummaryFormatException.class)
        .hasMessageContaining("root block of summary " + served.id())
        .hasMessageContaining("(truncated or corrupt)");
  }

  @Test
  void corruptOrUnlistedBlockIsRefusedAndNothingIsRenamedIntoPlace() throws IOException {
    SummaryChunkSource served = SummaryChunkSource.open(summary());
    Path target = temp.resolve("never");
    try (SummaryAssembler a =
        SummaryAssembler.open(served.id(), bytes(served.get(served.id())), target)) {
      Cid first = a.missing().getFirst();
      byte[] block = bytes(served.get(first));
      block[block.length / 2] ^= 1;
      assertThatThrownBy(() -> a.write(first, ByteBuffer.wrap(block)))
          .hasMessageContaining("block " + first)
          .hasMessageContaining("does not match its CID (corrupt)");
      Cid stranger = SummaryBlocks.cidOf(new byte[] {9});
      assertThatThrownBy(() -> a.write(stranger, ByteBuffer.wrap(new byte[] {9})))
          .hasMessageContaining("unsolicited");
      assertThatThrownBy(a::commit).hasMessageContaining("blocks still missing");
    }
    assertThat(target).doesNotExist();
  }

  @Test
  void editedSummaryJsonIsNotServed() throws IOException {
    Path dir = summary();
    Path root = dir.resolve(SummaryBlocks.ROOT);
    Files.writeString(root, Files.readString(root).replace("{\"chunks\"", "{ \"chunks\""));
    assertThatThrownBy(() -> SummaryChunkSource.open(dir))
        .isInstanceOf(SummaryFormatException.class)
        .hasMessageContaining("not in canonical form");
  }

  @Test
  void summaryKeyIsTheCidOfTheDocumentedCanonicalRecord() {
    String doc =
        "{\"dataset\":\""
            + DATA
            + "\",\"format\":\"amalgam-summary-key\",\"source_model\":\""
            + MODEL
            + "\"}";
    Cid expected = Cid.v1(0x0200, Multihash.sha256(doc.getBytes(StandardCharsets.UTF_8)));
    assertThat(SummaryKey.of(DATA, MODEL)).isEqualTo(expected);
    assertThat(SummaryKey.of(MODEL, DATA)).isNotEqualTo(expected);
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).sorted().toList();
    }
  }
}
