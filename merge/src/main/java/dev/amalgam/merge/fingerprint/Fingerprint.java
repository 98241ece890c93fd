package dev.amalgam.merge.fingerprint;

import dev.amalgam.multiformats.Cid;
import java.util.Optional;

/**
 * What identifies an expert: its manifest (expert id), its architecture family (same family means
 * weight-mergeable) and its tokenizer (absent when the checkpoint ships no tokenizer.json).
 */
public record Fingerprint(
    Manifest manifest, Cid expertId, Cid familyId, Optional<Cid> tokenizerId) {}
