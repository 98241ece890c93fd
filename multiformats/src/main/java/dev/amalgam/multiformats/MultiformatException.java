package dev.amalgam.multiformats;

/** Malformed multiformat input (varint, multihash, multibase string, CID). */
public class MultiformatException extends IllegalArgumentException {
  public MultiformatException(String message) {
    super(message);
  }
}
