package dev.amalgam.protocol.crypto;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Whether HotSpot's Poly1305 intrinsic is probably in use. The flag that says so
 * (UsePoly1305Intrinsics) is a locked diagnostic option that management beans do not show, so this
 * checks what the x86-64 stubs need instead: AVX-512 IFMA with AVX-512 VL and BW (UseAVX 3), or
 * AVX-IFMA (UseAVX 2 or more). Other CPUs are assumed to run Poly1305 in plain Java.
 */
final class Poly1305Intrinsic {
  private Poly1305Intrinsic() {}

  static boolean likely() {
    String arch = System.getProperty("os.arch", "");
    if (!arch.equals("amd64") && !arch.equals("x86_64")) {
      return false;
    }
    return accelerates(cpuFlags(Path.of("/proc/cpuinfo")), useAvx());
  }

  /** The rule for CPU feature {@code flags} (as /proc/cpuinfo names them) at {@code useAvx}. */
  static boolean accelerates(Set<String> flags, int useAvx) {
    boolean avx512 = useAvx >= 3 && flags.containsAll(Set.of("avx512ifma", "avx512vl", "avx512bw"));
    boolean avxIfma = useAvx >= 2 && flags.contains("avx_ifma");
    return avx512 || avxIfma;
  }

  /**
   * The flags of the first processor in a /proc/cpuinfo file; empty when it has none or is
   * unreadable.
   */
  static Set<String> cpuFlags(Path cpuinfo) {
    try (Stream<String> lines = Files.lines(cpuinfo)) {
      return lines
          .filter(l -> l.startsWith("flags"))
          .findFirst()
          .map(
              l -> Set.copyOf(Arrays.asList(l.substring(l.indexOf(':') + 1).strip().split("\\s+"))))
          .orElse(Set.of());
    } catch (IOException | UncheckedIOException e) {
      return Set.of();
    }
  }

  /** HotSpot's UseAVX (lowered by -XX:UseAVX=N); 3 when it cannot be read. */
  private static int useAvx() {
    try {
      return Integer.parseInt(
          ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
              .getVMOption("UseAVX")
              .getValue());
    } catch (RuntimeException | LinkageError e) {
      return 3;
    }
  }
}
