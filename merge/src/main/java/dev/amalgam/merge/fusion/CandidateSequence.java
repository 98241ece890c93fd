package dev.amalgam.merge.fusion;

import java.util.List;

/**
 * One model's view of one response in the target's tokens: a distribution for each target response
 * position and the model's cross-entropy on the gold response.
 *
 * @param positions one distribution per target response token (eos included)
 * @param crossEntropy NLL of the gold response per byte of response text (eos counted as one), so
 *     models with different tokenizers are compared on the same footing
 */
public record CandidateSequence(List<SparseDistribution> positions, double crossEntropy) {}
