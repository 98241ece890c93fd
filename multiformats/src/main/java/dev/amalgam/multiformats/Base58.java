package dev.amalgam.multiformats;

import java.util.Arrays;

/** Base58btc with the Bitcoin alphabet (multibase prefix {@code z}). */
public final class Base58 {
  private static final char[] ALPHABET =
      "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".toCharArray();
  private static final int[] VALUES = new int[128];

  static {
    Arrays.fill(VALUES, -1);
    for (int i = 0; i < ALPHABET.length; i++) {
      VALUES[ALPHABET[i]] = i;
    }
  }

  private Base58() {}

  public static String encode(byte[] data) {
    int zeros = 0;
    while (zeros < data.length && data[zeros] == 0) {
      zeros++;
    }
    byte[] input = Arrays.copyOf(data, data.length);
    char[] out = new char[data.length * 2];
    int outStart = out.length;
    for (int start = zeros; start < input.length; ) {
      out[--outStart] = ALPHABET[divmod(input, start, 256, 58)];
      if (input[start] == 0) {
        start++;
      }
    }
    while (outStart < out.length && out[outStart] == ALPHABET[0]) {
      outStart++;
    }
    while (--zeros >= 0) {
      out[--outStart] = ALPHABET[0];
    }
    return new String(out, outStart, out.length - outStart);
  }

  public static byte[] decode(String text) {
    if (text.isEmpty()) {
      return new byte[0];
    }
    byte[] input58 = new byte[text.length()];
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      int v = c < 128 ? VALUES[c] : -1;
      if (v < 0) {
        throw new MultiformatException("invalid base58 character '" + c + "' at position " + i);
      }
      input58[i] = (byte) v;
    }
    int zeros = 0;
    while (zeros < input58.length && input58[zeros] == 0) {
      zeros++;
    }
    byte[] decoded = new byte[text.length()];
    int outStart = decoded.length;
    for (int start = zeros; start < input58.length; ) {
      decoded[--outStart] = divmod(input58, start, 58, 256);
      if (input58[start] == 0) {
        start++;
      }
    }
    while (outStart < decoded.length && decoded[outStart] == 0) {
      outStart++;
    }
    return Arrays.copyOfRange(decoded, outStart - zeros, decoded.length);
  }

  /** Divides the big-endian number in {@code number[start..]} in place; returns the remainder. */
  private static byte divmod(byte[] number, int start, int base, int divisor) {
    int remainder = 0;
    for (int i = start; i < number.length; i++) {
      int digit = number[i] & 0xFF;
      int temp = remainder * base + digit;
      number[i] = (byte) (temp / divisor);
      remainder = temp % divisor;
    }
    return (byte) remainder;
  }
}
