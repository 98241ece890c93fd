package dev.amalgam.merge.fusion;

import dev.amalgam.merge.fingerprint.CanonicalJson;
import dev.amalgam.multiformats.Cid;
import dev.amalgam.multiformats.Multihash;
import java.util.Map;

/**
 * The key under which the summaries of one source model on one dataset are found, whoever made
 * them: CIDv1(json 0x0200, sha2-256) of the canonical JSON {@code {"dataset":D,
 * "format":"amalgam-summary-key","source_model":M}} (D and M as base32 CID strings). Nodes put DHT
 * provider records under its multihash. Defined in docs/protocols.md.
 */
public final class SummaryKey {
  public static final String FORMAT = "amalgam-summary-key";

  private SummaryKey() {}

  public static Cid of(Cid dataset, Cid sourceModel) {
    byte[] doc =
        CanonicalJson.encode(
            Map.of(
                "dataset",
                dataset.toString(),
                "format",
                FORMAT,
                "source_model",
                sourceModel.toString()));
    return Cid.v1(SummaryManifest.JSON_CODEC, Multihash.sha256(doc));
  }
}
