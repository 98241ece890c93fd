package dev.amalgam.protocol.bitswap;

/** What a want-list entry asks for: the block itself, or only whether the peer has it. */
public enum WantType {
  BLOCK,
  HAVE
}
