package dev.amalgam.protocol.bitswap;

import dev.amalgam.multiformats.Cid;

/** A peer's answer about one CID: it has the block (HAVE) or it does not (DONT_HAVE). */
public record BlockPresence(Cid cid, boolean have) {}
