package dev.amalgam.node.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.amalgam.bootstrap.card.SummaryNote;
import dev.amalgam.node.home.NodeStore.HostedSummary;

/**
 * A distribution summary as {@code amalgam summary list} and {@code amalgam summaries} show it:
 * hosted by this node (with its path) or announced by another peer (path null).
 */
public record SummaryView(
    @JsonProperty("id") String id,
    @JsonProperty("name") String name,
    @JsonProperty("dataset") String dataset,
    @JsonProperty("source_model") String sourceModel,
    @JsonProperty("source_tokenizer") String sourceTokenizer,
    @JsonProperty("top_k") int topK,
    @JsonProperty("sequences") long sequences,
    @JsonProperty("response_tokens") long responseTokens,
    @JsonProperty("size_bytes") long sizeBytes,
    @JsonProperty("peer") String peer,
    @JsonProperty("path") String path) {

  public static SummaryView of(HostedSummary h, String self) {
    return new SummaryView(
        h.summaryId(),
        h.name(),
        h.datasetId(),
        h.sourceModel(),
        h.sourceTokenizer(),
        h.topK(),
        h.sequences(),
        h.responseTokens(),
        h.sizeBytes(),
        self,
        h.path().toString());
  }

  public static SummaryView of(SummaryNote n) {
    return new SummaryView(
        n.summaryId().toString(),
        n.name(),
        n.datasetId().toString(),
        n.sourceModel().toString(),
        n.sourceTokenizer().map(Object::toString).orElse(null),
        n.topK(),
        n.sequences(),
        n.responseTokens(),
        n.sizeBytes(),
        n.peer().toString(),
        null);
  }

  /** Whether it is of the dataset and source model given (ids or parts of them; null: any). */
  public boolean matches(String datasetPart, String modelPart) {
    return (datasetPart == null || dataset.contains(datasetPart))
        && (modelPart == null || sourceModel.contains(modelPart));
  }
}
