package dev.amalgam.merge.engine;

import java.nio.file.Path;
import java.util.List;

/**
 * The outcome of a merge.
 *
 * @param directory the committed output directory
 * @param outputId the output's manifest id (CID text), or null when not computed
 * @param tensors number of tensors written
 * @param bytes tensor bytes written
 * @param warnings things left out and why
 */
public record MergeResult(
    Path directory, String outputId, int tensors, long bytes, List<String> warnings) {}
