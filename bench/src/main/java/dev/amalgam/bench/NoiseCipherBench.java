package dev.amalgam.bench;

import dev.amalgam.protocol.crypto.ChaCha20Poly1305;
import dev.amalgam.protocol.crypto.Poly1305;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * ChaCha20-Poly1305 on one core: the JDK's cipher against Amalgam's composed {@link
 * ChaCha20Poly1305} (JDK ChaCha20 + own Poly1305), sealing and opening 64 KiB messages with a fresh
 * nonce each, as a Noise transport does. Also times the two halves of Amalgam's AEAD alone. Prints
 * a Markdown table.
 *
 * <p>Usage: {@code NoiseCipherBench [messageBytes] [rounds]} (defaults 65536 and 7); each round
 * times every method on about 64 MiB and the table keeps each method's best round. Times are the
 * thread's CPU time, so the figures are per core even on a machine busy with other work.
 */
public final class NoiseCipherBench {
  private interface Op {
    void run(long messageNumber) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    int size = args.length > 0 ? Integer.parseInt(args[0]) : 65536;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
    int messages = Math.max(1, (64 << 20) / size);
    Random random = new Random(1);
    byte[] key = new byte[32];
    random.nextBytes(key);
    SecretKeySpec keySpec = new SecretKeySpec(key, "ChaCha20");
    byte[] plaintext = new byte[size];
    random.nextBytes(plaintext);
    byte[] aad = new byte[0];
    byte[] buffer = new byte[size + 16];
    byte[] opened = new byte[size];

    Cipher jdkSeal = Cipher.getInstance("ChaCha20-Poly1305");
    Cipher jdkOpen = Cipher.getInstance("ChaCha20-Poly1305");
    Cipher jdkChaCha = Cipher.getInstance("ChaCha20");
    ChaCha20Poly1305 sealer = new ChaCha20Poly1305(key, ChaCha20Poly1305.Implementation.COMPOSED);
    ChaCha20Poly1305 opener = new ChaCha20Poly1305(key, ChaCha20Poly1305.Implementation.COMPOSED);
    Poly1305 poly = new Poly1305();
    byte[] tag = new byte[16];

    // The open rows decrypt one sealed message again and again (a fresh nonce would need a fresh
    // ciphertext); the work per byte is the same.
    byte[] fixedNonce = nonce(Long.MAX_VALUE);
    byte[] sealed = sealer.seal(fixedNonce, aad, plaintext);

    String[] names = {
      "JDK ChaCha20-Poly1305 seal",
      "JDK ChaCha20-Poly1305 open",
      "Amalgam composed ChaCha20-Poly1305 seal",
      "Amalgam composed ChaCha20-Poly1305 open",
      "JDK ChaCha20 alone (Amalgam's keystream half)",
      "Amalgam Poly1305 alone"
    };
    Op[] ops = {
      n -> {
        jdkSeal.init(Cipher.ENCRYPT_MODE, keySpec, new IvParameterSpec(nonce(n)));
        jdkSeal.doFinal(plaintext, 0, size, buffer, 0);
      },
      n -> {
        jdkOpen.init(Cipher.DECRYPT_MODE, keySpec, new IvParameterSpec(fixedNonce));
        jdkOpen.doFinal(sealed, 0, sealed.length, opened, 0);
      },
      n -> sealer.seal(nonce(n), aad, plaintext, 0, size, buffer, 0),
      n -> opener.open(fixedNonce, aad, sealed, 0, sealed.length, opened, 0),
      n -> {
        jdkChaCha.init(Cipher.ENCRYPT_MODE, keySpec, new ChaCha20ParameterSpec(nonce(n), 1));
        jdkChaCha.update(plaintext, 0, size, buffer, 0);
      },
      n -> {
        poly.init(key, 0);
        poly.update(plaintext, 0, size);
        poly.finish(tag, 0);
      }
    };
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    double[] best = new double[ops.length];
    java.util.Arrays.fill(best, Double.MAX_VALUE);
    long counter = 0;
    for (int round = 0; round <= rounds; round++) {
      for (int i = 0; i < ops.length; i++) {
        long start = threads.getCurrentThreadCpuTime();
        for (int m = 0; m < messages; m++) {
          ops[i].run(counter++);
        }
        double s = (threads.getCurrentThreadCpuTime() - start) / 1e9;
        if (round > 0) { // round 0 warms up
          best[i] = Math.min(best[i], s);
        }
      }
    }
    double mib = (double) messages * size / (1 << 20);
    System.out.printf(
        Locale.ROOT,
        "ChaCha20-Poly1305, %d-byte messages, one thread, CPU time, best of %d rounds of %.0f MiB%n%n",
        size,
        rounds,
        mib);
    System.out.println("| operation | MiB/s per core |");
    System.out.println("|---|---:|");
    for (int i = 0; i < ops.length; i++) {
      System.out.printf(Locale.ROOT, "| %s | %.0f |%n", names[i], mib / best[i]);
    }
    System.out.printf(
        Locale.ROOT,
        "%nAmalgam composed / JDK: seal %.1fx, open %.1fx; Noise uses %s on this machine%n",
        best[0] / best[2],
        best[1] / best[3],
        ChaCha20Poly1305.Implementation.preferred());
  }

  private static byte[] nonce(long counter) {
    byte[] nonce = new byte[12];
    for (int i = 0; i < 8; i++) {
      nonce[4 + i] = (byte) (counter >>> (8 * i));
    }
    return nonce;
  }
}
