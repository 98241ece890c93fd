package dev.amalgam.protocol.noise;

import dev.amalgam.protocol.proto.ProtoReader;
import dev.amalgam.protocol.proto.ProtoWriter;
import java.util.ArrayList;
import java.util.List;

/** The libp2p {@code NoiseHandshakePayload} protobuf (identity key, signature, extensions). */
public record NoiseHandshakePayload(
    byte[] identityKey, byte[] identitySig, List<String> streamMuxers) {
  public static final String SIGNATURE_PREFIX = "noise-libp2p-static-key:";

  public byte[] encode() {
    ProtoWriter w = new ProtoWriter();
    if (identityKey != null) {
      w.bytes(1, identityKey);
    }
    if (identitySig != null) {
      w.bytes(2, identitySig);
    }
    if (!streamMuxers.isEmpty()) {
      ProtoWriter ext = new ProtoWriter();
      streamMuxers.forEach(m -> ext.string(2, m));
      w.message(4, ext);
    }
    return w.toByteArray();
  }

  public static NoiseHandshakePayload decode(byte[] data) {
    ProtoReader r = new ProtoReader("NoiseHandshakePayload", data);
    byte[] key = null;
    byte[] sig = null;
    List<String> muxers = new ArrayList<>();
    while (r.next()) {
      switch (r.field()) {
        case 1 -> key = r.bytes();
        case 2 -> sig = r.bytes();
        case 4 -> {
          ProtoReader ext = new ProtoReader("NoiseExtensions", r.bytes());
          while (ext.next()) {
            if (ext.field() == 2) {
              muxers.add(ext.string());
            } else {
              ext.skip();
            }
          }
        }
        default -> r.skip();
      }
    }
    return new NoiseHandshakePayload(key, sig, List.copyOf(muxers));
  }
}
