package dev.amalgam.multiformats;

/** Multibase strings: a one-character prefix naming the base, then the encoded bytes. */
public final class Multibase {
  private Multibase() {}

  public static String encodeBase32(byte[] data) {
    return "b" + Base32.encode(data);
  }

  public static String encodeBase58(byte[] data) {
    return "z" + Base58.encode(data);
  }

  public static byte[] decode(String text) {
    if (text.isEmpty()) {
      throw new MultiformatException("empty multibase string");
    }
    String body = text.substring(1);
    return switch (text.charAt(0)) {
      case 'b' -> Base32.decode(body);
      case 'B' -> Base32.decode(body.toLowerCase(java.util.Locale.ROOT));
      case 'z' -> Base58.decode(body);
      default ->
          throw new MultiformatException(
              "unsupported multibase prefix '" + text.charAt(0) + "' (expected b or z)");
    };
  }
}
