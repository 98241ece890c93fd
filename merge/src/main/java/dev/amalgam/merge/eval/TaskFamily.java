package dev.amalgam.merge.eval;

import java.util.SplittableRandom;

/** A family of generated reasoning problems with exact answers. */
public interface TaskFamily {

  /** The family's name as used on the command line and in split hashing. */
  String name();

  /** Draws one problem; the same random state gives the same problem. */
  TaskExample sample(SplittableRandom random);
}
