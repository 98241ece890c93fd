package dev.amalgam.merge.recipe;

import dev.amalgam.merge.method.MergeMethod;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A parsed and validated merge recipe (mergekit's YAML schema plus Amalgam's {@code seed}).
 *
 * @param sourceName the file name used in messages
 * @param text the recipe text exactly as read (for provenance)
 * @param method the merge method
 * @param methodLine the 1-based line of {@code merge_method}
 * @param baseModel the recipe-level {@code base_model}, or null
 * @param explicitSlices whether the recipe used {@code slices:} (else {@code models:})
 * @param slices the output slices, in order; a {@code models:} recipe has one
 * @param parameters the global {@code parameters:}
 * @param dtype the compute dtype ({@code dtype}), or null for the inputs' own
 * @param outDtype the saved dtype ({@code out_dtype}), or null for {@code dtype}
 * @param tokenizer the tokenizer setting, or null (the base's, which requires equal vocabularies)
 * @param chatTemplate {@code chat_template} (a template name or Jinja text), or null
 * @param seed the seed for random masks (Amalgam extension; 0 when absent)
 */
public record Recipe(
    String sourceName,
    String text,
    MergeMethod method,
    int methodLine,
    String baseModel,
    boolean explicitSlices,
    List<RecipeSlice> slices,
    ParameterSet parameters,
    String dtype,
    String outDtype,
    TokenizerSettings tokenizer,
    String chatTemplate,
    long seed) {

  public Recipe {
    slices = List.copyOf(slices);
  }

  /** The parameter resolver for one output slice. */
  public ParameterResolver resolver(int sliceIndex) {
    return new ParameterResolver(slices.get(sliceIndex), parameters);
  }

  /** Every model the recipe references, base first, each once, in recipe order. */
  public List<String> referencedModels() {
    Set<String> out = new LinkedHashSet<>();
    if (baseModel != null) {
      out.add(baseModel);
    }
    for (RecipeSlice s : slices) {
      if (s.baseModel() != null) {
        out.add(s.baseModel());
      }
      for (RecipeSource src : s.sources()) {
        out.add(src.model());
      }
    }
    return List.copyOf(out);
  }

  /** The dtype tensors are saved in: {@code out_dtype}, else {@code dtype}, else null. */
  public String savedDtype() {
    return outDtype != null ? outDtype : dtype;
  }
}
